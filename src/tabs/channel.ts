import { appKey } from '../session/keys.js';
import { parseTabMessage, type TabMessage } from './messages.js';

export type { TabMessage } from './messages.js';

/** A narrow port over BroadcastChannel, so logic can be tested with a fake. */
export interface TabChannel {
  post(message: TabMessage): void;
  /** Subscribes to messages from *other* tabs; returns an unsubscribe function. */
  onMessage(handler: (message: TabMessage) => void): () => void;
  close(): void;
}

/** The channel name shared by every tab of one app. */
export function tabChannelName(issuer: string, clientId: string): string {
  return appKey('tabs', issuer, clientId);
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
  let closed = false;
  channel.onmessage = (event: MessageEvent) => {
    const message = parseTabMessage(event.data);
    if (!message) return;
    for (const handler of [...handlers]) handler(message);
  };
  return {
    post(message) {
      if (!closed) channel.postMessage(message);
    },
    onMessage(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    close() {
      if (closed) return;
      closed = true;
      handlers.clear();
      channel.onmessage = null;
      channel.close();
    },
  };
}
