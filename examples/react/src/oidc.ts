// The app's oidc-client-ts set-up, shared by its pages. The OP and the client come from /config.json, which the
// server writes (in an app of your own they would usually be build-time constants).
import { UserManager, WebStorageStateStore } from 'oidc-client-ts';

export interface AppConfig {
  authority: string;
  client_id: string;
  /** Milliseconds between polls of the OP iframe. */
  interval?: number;
  /** The idle timeout (`watchIdle`'s options); none when absent. */
  idle?: { timeout: number; warning?: number };
}

export async function loadConfig(): Promise<AppConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/config.json: HTTP ${response.status}`);
  return (await response.json()) as AppConfig;
}

/**
 * The one `UserManager` of the app: given to react-oidc-context's `AuthProvider` *and* to `useSessionMonitor`, so
 * that a sign-out the monitor decides (it removes the user) re-renders the app signed out.
 */
export function createUserManager(config: AppConfig): UserManager {
  const origin = window.location.origin;
  return new UserManager({
    authority: config.authority,
    client_id: config.client_id,
    redirect_uri: `${origin}/callback.html`,
    silent_redirect_uri: `${origin}/silent.html`, // the monitor's prompt=none re-check answers there
    post_logout_redirect_uri: `${origin}/signed-out.html`,
    scope: 'openid profile',
    userStore: new WebStorageStateStore({ store: window.localStorage, prefix: 'react.' }),
    automaticSilentRenew: false,
  });
}
