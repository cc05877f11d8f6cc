/**
 * Names of everything this SDK keeps in the browser for one app (an issuer and a `client_id`): storage keys, the
 * BroadcastChannel and the Web Locks. Each part is percent-encoded, so that `:` inside an issuer or a client id
 * cannot make two apps share a name.
 */
export type AppKeyKind = 'tabs' | 'leader' | 'cookies' | 'last-session-state' | 'idle' | 'idle-decision' | 'renew';

/** This tab's last verified post-logout callback (sessionStorage), so that a reload is recognised as one. */
export const LAST_LOGOUT_CALLBACK_KEY = 'oidc-session-monitor:logout-callback';

export function appKey(kind: AppKeyKind, issuer: string, clientId: string, ...more: string[]): string {
  return ['oidc-session-monitor', kind, issuer, clientId, ...more].map((part, i) => (i < 2 ? part : encodeURIComponent(part))).join(':');
}
