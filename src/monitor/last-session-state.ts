import { browserSessionStorage } from '../platform.js';
import { appKey } from '../session/keys.js';

/**
 * The `session_state` a tab had when it logged out, kept in that tab's sessionStorage for the post-logout page:
 * an anonymous monitor there polls once more with it (and sees `changed`), as the OpenID Foundation's session
 * management RP test expects.
 */
const key = (issuer: string, clientId: string) => appKey('last-session-state', issuer, clientId);

export function rememberLastSessionState(issuer: string, clientId: string, sessionState: string): void {
  try {
    browserSessionStorage.setItem(key(issuer, clientId), sessionState);
  } catch {
    // Storage disabled: the post-logout page learns an anonymous session_state with prompt=none instead.
  }
}

export function takeLastSessionState(issuer: string, clientId: string): string | undefined {
  try {
    const value = browserSessionStorage.getItem(key(issuer, clientId));
    browserSessionStorage.removeItem(key(issuer, clientId));
    return value || undefined;
  } catch {
    return undefined;
  }
}
