import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startMonitoringWithRecheck, type SessionMonitor } from '../src/index.js';
import { monitorOf } from '../src/monitor/registry.js';
import { tabChannelName } from '../src/tabs/channel.js';
import { FakeLockManager } from './support/fake-locks.js';
import { trackListeners } from './support/listeners.js';

// SECURITY.md, "Clean up": stop() leaves nothing that could act on a late message.

const claims = btoa(JSON.stringify({ iss: 'https://op.example', sub: 'alice', sid: 'S1' })).replace(/=+$/, '');
const options = {
  check_session_iframe: 'https://op.example/check_session',
  client_id: 'spa',
  session_state: 'abc.salt',
  id_token: `e30.${claims}.sig`,
  recheck: async () => ({ kind: 'signedOut' as const, error: 'login_required' as const }),
};
const CHANNEL = tabChannelName('https://op.example', 'spa');
const LEADER_LOCK = 'oidc-session-monitor:leader:https%3A%2F%2Fop.example:spa:alice';

/** Started: this tab leads (it holds the leader lock), so its channel and frame are up. */
const leading = () => vi.waitFor(async () => expect((await locks.query()).held).toEqual([{ name: LEADER_LOCK }]));
/** A fixed wait that only shows that nothing happens: a message still delivered would arrive well within it. */
const nothingMore = () => new Promise((r) => setTimeout(r, 50));

let locks: FakeLockManager;
let opened: BroadcastChannel[];
let closed: Set<BroadcastChannel>;
let monitor: SessionMonitor | undefined;

beforeEach(() => {
  locks = new FakeLockManager();
  vi.spyOn(navigator, 'locks', 'get').mockReturnValue(locks as unknown as LockManager);
  opened = [];
  closed = new Set();
  const Channel = globalThis.BroadcastChannel;
  vi.stubGlobal(
    'BroadcastChannel',
    class extends Channel {
      constructor(name: string) {
        super(name);
        opened.push(this);
      }
      override close(): void {
        closed.add(this);
        super.close();
      }
    },
  );
});

afterEach(() => {
  monitor?.stop();
  monitor = undefined;
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

describe('stop()', () => {
  it('closes the tab channel: messages from another tab no longer reach the stopped monitor', async () => {
    monitor = startMonitoringWithRecheck(options);
    await leading();
    const controller = monitorOf('https://op.example', 'spa')!;
    const follow = vi.spyOn(controller, 'follow');
    const signOutFrom = vi.spyOn(controller, 'signOutFrom');
    const otherTab = new BroadcastChannel(CHANNEL);
    otherTab.postMessage({ type: 'hello', sub: 'alice' });
    await vi.waitFor(() => expect(follow).toHaveBeenCalledTimes(1));

    monitor.stop();
    otherTab.postMessage({ type: 'hello', sub: 'alice' });
    otherTab.postMessage({ type: 'frontChannelLogout', iss: 'https://op.example', sid: 'S1' });
    await nothingMore();
    expect(follow).toHaveBeenCalledTimes(1);
    expect(signOutFrom).not.toHaveBeenCalled();
    expect(opened.filter((channel) => channel !== otherTab && !closed.has(channel))).toEqual([]);
    otherTab.close();
  });

  it('leaves no page listener behind: lifecycle events and the OP iframe\'s message listener', async () => {
    const onWindow = trackListeners(window);
    const onDocument = trackListeners(document);
    monitor = startMonitoringWithRecheck(options);
    await leading();
    await vi.waitFor(() => expect(onWindow('message')).toBe(1));
    // The monitor and the tab sync each follow the page lifecycle.
    expect(onDocument('visibilitychange')).toBe(2);

    monitor.stop();
    expect(onDocument('visibilitychange')).toBe(0);
    for (const type of ['focus', 'online', 'pageshow', 'message']) expect({ type, live: onWindow(type) }).toEqual({ type, live: 0 });
  });

  it('leaves no timer pending', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    // The OP iframe loads its (stand-in) page first: the timer happy-dom keeps while it loads one is not the SDK's.
    let loaded = false;
    document.addEventListener('load', () => (loaded = true), true);
    monitor = startMonitoringWithRecheck(options);
    await vi.waitFor(() => expect(loaded).toBe(true));
    expect(vi.getTimerCount()).toBeGreaterThan(0);

    monitor.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('releases the leader lock, so another tab of the same user can poll', async () => {
    monitor = startMonitoringWithRecheck(options);
    await leading();

    monitor.stop();
    await vi.waitFor(async () => expect(await locks.query()).toEqual({ held: [], pending: [] }));
  });
});
