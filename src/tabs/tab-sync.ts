import type { Lifecycle } from '../monitor/ports.js';
import type { MonitorController } from '../monitor/monitor.js';
import { idTokenMatches } from '../session/id-token-matches.js';
import { appKey } from '../session/keys.js';
import type { SessionSource } from '../session/source.js';
import { openTabChannel, tabChannelName } from './channel.js';
import { createLeadership, type Leadership, type LockManagerLike } from './leadership.js';
import type { TabMessage } from './messages.js';

/** The tabs of one app, as one monitor sees them. */
export interface TabSync {
  /** True when tabs elect one poller per user (Web Locks are available). */
  readonly coordinated: boolean;
  broadcast(message: TabMessage): void;
  /** This tab now watches `sub`'s session (`undefined`: none): compete with the other tabs watching the same user. */
  watch(sub: string | undefined): void;
  /**
   * Connects the monitor; messages and leadership reach it from now on. `onNewTokens` runs when the store may hold
   * newer tokens: another tab renewed or re-checked, or this page was shown again.
   */
  attach(monitor: MonitorController, onNewTokens?: () => void): void;
  close(): void;
}

/**
 * Cross-tab coordination for one monitor: one poller per *user* (a Web Lock named after the issuer, the client and
 * the `sub`), so that tabs signed in as different users are each monitored; what the poller finds reaches the
 * other tabs over a BroadcastChannel, and each tab applies only what concerns its own user. The poller is the tab
 * the user looks at: a tab that becomes visible takes over, a hidden one hands over to a waiting tab.
 *
 * Where Web Locks are missing every tab polls for itself; where BroadcastChannel is missing tabs learn nothing from
 * each other — both still correct, only less economical.
 */
export function createTabSync(source: Pick<SessionSource, 'issuer' | 'clientId' | 'getSession'>, lifecycle: Lifecycle, locks?: LockManagerLike): TabSync {
  const lockManager = locks ?? (globalThis.navigator?.locks as LockManagerLike | undefined);
  const coordinated = typeof lockManager?.request === 'function';
  const channel = openTabChannel(tabChannelName(source.issuer, source.clientId));
  let monitor: MonitorController | undefined;
  let leadership: Leadership | undefined;
  let watched: string | undefined | null = null;
  let closed = false;
  let stopListening: () => void = () => {};
  let stopLifecycle: () => void = () => {};

  async function frontChannelLogout(iss: string, sid: string): Promise<void> {
    // FCL §2: act only for the session the request names.
    // Stryker disable next-line ArrowFunction: null and undefined read the same below (`session?.id_token` is undefined for both)
    const session = await source.getSession().catch(() => null);
    if (!closed && idTokenMatches(session?.id_token, iss, sid)) monitor?.signOutFrom('front-channel');
  }

  return {
    coordinated,
    broadcast: (message) => channel.post(message),
    watch(sub) {
      if (closed || sub === watched) return;
      watched = sub;
      leadership?.dispose();
      leadership = undefined;
      if (sub === undefined || !coordinated) return;
      leadership = createLeadership(appKey('leader', source.issuer, source.clientId, sub), lockManager);
      leadership?.start((leading) => monitor?.lead(leading));
      // Stryker disable next-line OptionalChaining: leadership was just created with the same check as `coordinated` (a request function), so it is defined here
      if (lifecycle.isVisible()) leadership?.claim();
    },
    attach(target, onNewTokens) {
      monitor = target;
      stopListening = channel.onMessage((message) => {
        if (message.type === 'frontChannelLogout') void frontChannelLogout(message.iss, message.sid);
        else if (message.type === 'renewed') onNewTokens?.();
        else {
          target.follow(message);
          if (message.type === 'refreshed') onNewTokens?.();
        }
      });
      stopLifecycle = lifecycle.subscribe((signal) => {
        if (signal !== 'hidden') onNewTokens?.();
        if (signal === 'visible') leadership?.claim();
        if (signal === 'hidden') void leadership?.yieldToWaiting();
      });
    },
    close() {
      if (closed) return;
      closed = true;
      stopListening();
      stopLifecycle();
      leadership?.dispose();
      leadership = undefined;
      channel.close();
    },
  };
}
