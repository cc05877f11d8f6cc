// The demo's oidc-client-ts set-up, shared by its pages. The user is kept in localStorage so that every tab
// of the app (and the front-channel logout page) sees the same sign-in — or, with `userStore: 'session'`, in
// sessionStorage as oidc-client-ts does by default: each tab then has its own user, and two tabs may hold two users.
import { UserManager, WebStorageStateStore } from 'oidc-client-ts';

export { default as config } from '/config.js';

export function createUserManager(config) {
  const origin = window.location.origin;
  return new UserManager({
    authority: config.authority,
    client_id: config.client_id,
    redirect_uri: `${origin}/callback.html`,
    silent_redirect_uri: `${origin}/silent.html`,
    post_logout_redirect_uri: `${origin}/signed-out.html`,
    scope: 'openid profile',
    userStore: new WebStorageStateStore({
      store: config.userStore === 'session' ? window.sessionStorage : window.localStorage,
      prefix: `demo.${config.client_id}.`,
    }),
    automaticSilentRenew: false,
    silentRequestTimeoutInSeconds: config.silentRequestTimeoutInSeconds ?? 10,
  });
}
