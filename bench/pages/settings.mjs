// The oidc-client-ts settings every bench page of one origin shares (the user lives in localStorage, so all
// tabs of the app see one sign-in, as in the demo app). `?hint=1` on the page's URL makes oidc-client-ts send the
// user's ID token as `id_token_hint` with `prompt=none` (`includeIdTokenInSilentRenew`; off by default), as ours
// does (Core §3.1.2.1), so that both libraries send the OP the same request.
import { WebStorageStateStore } from 'oidc-client-ts';
import config from '/config.js';

export { config };

export function settings(extra = {}) {
  const origin = window.location.origin;
  return {
    authority: config.authority,
    client_id: config.client_id,
    redirect_uri: `${origin}/callback.html`,
    silent_redirect_uri: `${origin}/silent.html`,
    post_logout_redirect_uri: `${origin}/signed-out.html`,
    scope: 'openid profile',
    userStore: new WebStorageStateStore({ store: window.localStorage, prefix: `bench.${config.client_id}.` }),
    automaticSilentRenew: false,
    monitorSession: false,
    silentRequestTimeoutInSeconds: 10,
    ...(new URLSearchParams(window.location.search).get('hint') === '1' ? { includeIdTokenInSilentRenew: true } : {}),
    // `?renew=1`: oidc-client-ts's automatic token renewal, on as it ships (ours then takes it over).
    ...(new URLSearchParams(window.location.search).get('renew') === '1' ? { automaticSilentRenew: true } : {}),
    ...extra,
  };
}
