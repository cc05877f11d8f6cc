// The oidc-client-ts settings every bench page of one origin shares (the user lives in localStorage, so all
// tabs of the app see one sign-in, as in the demo app).
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
    ...extra,
  };
}
