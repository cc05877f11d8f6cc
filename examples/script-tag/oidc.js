// The page's oidc-client-ts set-up, shared by every page of this example (a classic script: it defines a global).
// The user is kept in localStorage, so every tab of the app sees the same sign-in.
// oidc-client-ts comes from the full build (OidcSessionMonitor.UserManager) or, next to the SDK-only build, from
// oidc-client-ts's own script (the global `oidc`).
window.createUserManager = function createUserManager() {
  var config = window.exampleConfig;
  var origin = window.location.origin;
  var client = window.oidc || OidcSessionMonitor;
  return new client.UserManager({
    authority: config.authority,
    client_id: config.client_id,
    redirect_uri: origin + '/callback.html',
    silent_redirect_uri: origin + '/silent.html',
    post_logout_redirect_uri: origin + '/signed-out.html',
    scope: 'openid profile',
    userStore: new client.WebStorageStateStore({ store: window.localStorage, prefix: 'script-tag.' }),
    automaticSilentRenew: false,
  });
};
