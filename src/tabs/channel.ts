import type { UnavailableReason } from '../monitor/types.js';

/**
 * Messages that tabs of one app (one `client_id` at one issuer) send each other.
 * `signedOut` is sent by `logout()`, by front-channel logout and by the monitor that saw the sign-out,
 * so that every tab drops its local user without asking the OP again.
 */
export type TabMessage =
  | { type: 'signedOut'; reason: string; sub?: string }
  | { type: 'userChanged'; previousSub?: string; sub: string }
  /** The leading tab's re-check found the same user with a new session_state. */
  | { type: 'refreshed'; session_state: string; sub: string; previous_session_state: string }
  /** The leading tab cannot monitor right now. */
  | { type: 'unavailable'; reason: UnavailableReason; detail: string; retrying: boolean }
  /** The leading tab monitors (again). */
  | { type: 'monitoring' }
  /** A front-channel logout request that the receiving page could not match itself; each tab checks its own ID token. */
  | { type: 'frontChannelLogout'; iss: string; sid: string };

/** A narrow port over BroadcastChannel, so logic can be tested with a fake. */
export interface TabChannel {
  post(message: TabMessage): void;
  /** Subscribes to messages from *other* tabs; returns an unsubscribe function. */
  onMessage(handler: (message: TabMessage) => void): () => void;
  close(): void;
}

/** The channel name shared by every tab of one app. */
export function tabChannelName(issuer: string, clientId: string): string {
  return `oidc-session-monitor:${issuer}:${clientId}`;
}

const TYPES = new Set(['signedOut', 'refreshed', 'userChanged', 'unavailable', 'monitoring', 'frontChannelLogout']);

function isTabMessage(value: unknown): value is TabMessage {
  return typeof value === 'object' && value !== null && TYPES.has((value as { type?: unknown }).type as string);
}

/**
 * Opens the tab channel for one app. Where BroadcastChannel is missing (old browsers, some webviews)
 * it returns a channel that does nothing: each tab then acts alone, which is still correct, only less quick.
 */
export function openTabChannel(name: string): TabChannel {
  if (typeof BroadcastChannel !== 'function') {
    return { post() {}, onMessage: () => () => {}, close() {} };
  }
  const channel = new BroadcastChannel(name);
  const handlers = new Set<(message: TabMessage) => void>();
  channel.onmessage = (event: MessageEvent) => {
    // Same-origin only by construction, but still untrusted shape: another script of the app may share the name.
    if (!isTabMessage(event.data)) return;
    for (const handler of [...handlers]) handler(event.data);
  };
  return {
    post(message) {
      channel.postMessage(message);
    },
    onMessage(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    close() {
      handlers.clear();
      channel.onmessage = null;
      channel.close();
    },
  };
}
