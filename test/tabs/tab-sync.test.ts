import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { Lifecycle, LifecycleSignal } from '../../src/monitor/ports.js';
import type { MonitorController } from '../../src/monitor/monitor.js';
import { createTabSync } from '../../src/tabs/tab-sync.js';
import { flush } from '../support/fake-clock.js';
import { FakeLockManager } from '../support/fake-locks.js';

function fakeLifecycle(visible = true): Lifecycle & { emit(signal: LifecycleSignal): void } {
  const handlers = new Set<(signal: LifecycleSignal) => void>();
  return {
    isVisible: () => visible,
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    emit(signal) {
      for (const handler of handlers) handler(signal);
    },
  };
}

function fakeMonitor() {
  return { lead: vi.fn(), follow: vi.fn(), signOutFrom: vi.fn() } as unknown as MonitorController & Record<'lead' | 'follow' | 'signOutFrom', ReturnType<typeof vi.fn>>;
}

const jwt = (claims: object) => `e30.${btoa(JSON.stringify(claims)).replace(/=+$/, '')}.sig`;
const source = (idToken?: string) => ({ issuer: 'https://op.example', clientId: 'app', getSession: async () => ({ sub: 'alice', session_state: 's', ...(idToken ? { id_token: idToken } : {}) }) });

/** Two tabs of alice on one lock manager; the first leads. */
async function twoTabsOfAlice() {
  const locks = new FakeLockManager();
  const first = { monitor: fakeMonitor(), lifecycle: fakeLifecycle(false) };
  const second = { monitor: fakeMonitor(), lifecycle: fakeLifecycle(false) };
  const firstSync = createTabSync(source(), first.lifecycle, locks);
  const secondSync = createTabSync(source(), second.lifecycle, locks);
  firstSync.attach(first.monitor);
  secondSync.attach(second.monitor);
  firstSync.watch('alice');
  secondSync.watch('alice');
  await flush();
  expect(first.monitor.lead.mock.calls).toEqual([[true]]);
  expect(second.monitor.lead).not.toHaveBeenCalled();
  return { first, second, firstSync, secondSync };
}

describe('tab sync', () => {
  it('elects one poller per user: tabs of different users each lead, tabs of the same user share', async () => {
    const locks = new FakeLockManager();
    const tabs = [0, 1, 2].map(() => {
      const monitor = fakeMonitor();
      const sync = createTabSync(source(), fakeLifecycle(false), locks);
      sync.attach(monitor);
      return { monitor, sync };
    });
    tabs[0]!.sync.watch('alice');
    tabs[1]!.sync.watch('alice');
    tabs[2]!.sync.watch('bob');
    await flush();
    expect(tabs.map((t) => t.monitor.lead.mock.calls.at(-1)?.[0] ?? false)).toEqual([true, false, true]);
    expect([...locks.byName.keys()]).toEqual(['oidc-session-monitor:leader:https%3A%2F%2Fop.example:app:alice', 'oidc-session-monitor:leader:https%3A%2F%2Fop.example:app:bob']);
    for (const t of tabs) t.sync.close();
  });

  it('watching nobody (signed out, logout in flight) lets another tab of the same user lead', async () => {
    const locks = new FakeLockManager();
    const first = { monitor: fakeMonitor(), sync: createTabSync(source(), fakeLifecycle(false), locks) };
    const second = { monitor: fakeMonitor(), sync: createTabSync(source(), fakeLifecycle(false), locks) };
    first.sync.attach(first.monitor);
    second.sync.attach(second.monitor);
    first.sync.watch('alice');
    await flush();
    second.sync.watch('alice');
    await flush();
    expect(second.monitor.lead).not.toHaveBeenCalled();
    first.sync.watch(undefined);
    await flush();
    expect(second.monitor.lead).toHaveBeenLastCalledWith(true);
    // The first tab is not told anything more: it asked to stop watching.
    expect(first.monitor.lead.mock.calls).toEqual([[true]]);
    first.sync.close();
    second.sync.close();
  });

  it('the tab that becomes visible takes the lead from the other tab of the same user', async () => {
    const { first, second, firstSync, secondSync } = await twoTabsOfAlice();
    second.lifecycle.emit('visible');
    await flush();
    expect(second.monitor.lead.mock.calls).toEqual([[true]]);
    expect(first.monitor.lead.mock.calls).toEqual([[true], [false]]);
    firstSync.close();
    secondSync.close();
  });

  it('a leader that becomes hidden hands the lead to a waiting tab of the same user', async () => {
    const { first, second, firstSync, secondSync } = await twoTabsOfAlice();
    first.lifecycle.emit('hidden');
    await flush();
    expect(first.monitor.lead.mock.calls).toEqual([[true], [false]]);
    expect(second.monitor.lead.mock.calls).toEqual([[true]]);
    firstSync.close();
    secondSync.close();
  });

  it('reports that tabs are not coordinated where Web Locks are missing', () => {
    const sync = createTabSync(source(), fakeLifecycle(), { request: undefined } as never);
    expect(sync.coordinated).toBe(false);
    sync.close();
  });

  it('signs out on a front-channel request only when iss and sid match this tab\'s ID token', async () => {
    const monitor = fakeMonitor();
    const withSid = createTabSync(source(jwt({ iss: 'https://op.example', sid: 'S1', sub: 'alice' })), fakeLifecycle(), new FakeLockManager());
    withSid.attach(monitor);
    const post = (message: object) => new BroadcastChannel('oidc-session-monitor:tabs:https%3A%2F%2Fop.example:app').postMessage(message);
    post({ type: 'frontChannelLogout', iss: 'https://op.example', sid: 'S2' });
    post({ type: 'frontChannelLogout', iss: 'https://op.example/', sid: 'S1' });
    post({ type: 'frontChannelLogout', iss: 'https://op.example', sid: 'S1' });
    // A channel delivers in order: once the matching request has arrived, the two before it were handled.
    await vi.waitFor(() => expect(monitor.signOutFrom).toHaveBeenCalled());
    expect(monitor.signOutFrom.mock.calls).toEqual([['front-channel']]);
    withSid.close();
  });

  it('an ID token without sid matches no front-channel request', async () => {
    const monitor = fakeMonitor();
    const sync = createTabSync(source(jwt({ iss: 'https://op.example', sub: 'alice' })), fakeLifecycle(), new FakeLockManager());
    sync.attach(monitor);
    const channel = new BroadcastChannel('oidc-session-monitor:tabs:https%3A%2F%2Fop.example:app');
    channel.postMessage({ type: 'frontChannelLogout', iss: 'https://op.example', sid: 'undefined' });
    // A message the monitor follows, sent after it: once it has arrived, the request before it was handled.
    channel.postMessage({ type: 'signedOut', reason: 'logout', sub: 'bob' });
    await vi.waitFor(() => expect(monitor.follow).toHaveBeenCalled());
    expect(monitor.signOutFrom).not.toHaveBeenCalled();
    channel.close();
    sync.close();
  });

  it('passes other tabs\' messages to the monitor after validating them, and nothing after close', async () => {
    const monitor = fakeMonitor();
    const sync = createTabSync(source(), fakeLifecycle(), new FakeLockManager());
    sync.attach(monitor);
    const channel = new BroadcastChannel('oidc-session-monitor:tabs:https%3A%2F%2Fop.example:app');
    channel.postMessage({ type: 'signedOut', reason: 'logout', sub: 'alice', extra: 1 });
    channel.postMessage({ type: 'signedOut', reason: 'logout' });
    channel.postMessage({ type: 'signedOut', reason: 'logout', sub: 'bob' });
    // In order: once the last message arrived, the invalid one between was dropped.
    await vi.waitFor(() => expect(monitor.follow).toHaveBeenCalledTimes(2));
    expect(monitor.follow.mock.calls).toEqual([[{ type: 'signedOut', reason: 'logout', sub: 'alice' }], [{ type: 'signedOut', reason: 'logout', sub: 'bob' }]]);
    sync.close();
    channel.postMessage({ type: 'signedOut', reason: 'logout', sub: 'alice' });
    // A fixed wait that only shows that nothing happens: a message still delivered would arrive well within it.
    await new Promise((r) => setTimeout(r, 50));
    expect(monitor.follow).toHaveBeenCalledTimes(2);
    channel.close();
  });
});

/**
 * Errors nobody caught (a throwing message handler, a rejected promise nobody awaits) from now until `stop()`, or the
 * end of the test if it fails first.
 */
function collectUncaught() {
  const errors: unknown[] = [];
  const record = (error: unknown) => errors.push(error);
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
  const stop = () => {
    process.off('uncaughtException', record);
    process.off('unhandledRejection', record);
    return errors;
  };
  onTestFinished(() => void stop());
  return { stop };
}

describe('tab sync: messages, visibility and lifecycle', () => {
  const channelName = 'oidc-session-monitor:tabs:https%3A%2F%2Fop.example:app';

  /** One tab, attached, whose monitor and token callback write what they are told into one log. */
  function loggedTab(lifecycle = fakeLifecycle(false)) {
    const log: string[] = [];
    const monitor = fakeMonitor();
    monitor.follow.mockImplementation((message: { type: string }) => log.push(`follow ${message.type}`));
    const sync = createTabSync(source(), lifecycle, new FakeLockManager());
    sync.attach(monitor, () => log.push('new tokens'));
    return { log, monitor, sync, lifecycle };
  }

  it('broadcasts to the other tabs of the same app', async () => {
    const sync = createTabSync(source(), fakeLifecycle(), new FakeLockManager());
    const other = new BroadcastChannel(channelName);
    const received: unknown[] = [];
    other.onmessage = (event) => received.push(event.data);
    sync.broadcast({ type: 'monitoring', sub: 'alice' });
    await vi.waitFor(() => expect(received).toEqual([{ type: 'monitoring', sub: 'alice' }]));
    other.close();
    sync.close();
  });

  it('a \'renewed\' message from another tab reads the new tokens and is not followed; a \'refreshed\' one is followed, then reads them', async () => {
    const { log, sync } = loggedTab();
    const channel = new BroadcastChannel(channelName);
    channel.postMessage({ type: 'renewed', sub: 'alice' });
    channel.postMessage({ type: 'signedOut', reason: 'logout', sub: 'bob' });
    channel.postMessage({ type: 'refreshed', sub: 'alice', session_state: 's2', previous_session_state: 's1' });
    channel.postMessage({ type: 'monitoring', sub: 'alice' });
    await vi.waitFor(() => expect(log).toContain('follow monitoring'));
    expect(log).toEqual(['new tokens', 'follow signedOut', 'follow refreshed', 'new tokens', 'follow monitoring']);
    channel.close();
    sync.close();
  });

  it('a tab attached without a token callback follows \'refreshed\' and skips \'renewed\' without failing', async () => {
    const monitor = fakeMonitor();
    const sync = createTabSync(source(), fakeLifecycle(), new FakeLockManager());
    sync.attach(monitor);
    const errors = collectUncaught();
    const channel = new BroadcastChannel(channelName);
    channel.postMessage({ type: 'renewed', sub: 'alice' });
    channel.postMessage({ type: 'refreshed', sub: 'alice', session_state: 's2', previous_session_state: 's1' });
    channel.postMessage({ type: 'monitoring', sub: 'alice' });
    await vi.waitFor(() => expect(monitor.follow).toHaveBeenCalledTimes(2));
    expect(errors.stop()).toEqual([]);
    channel.close();
    sync.close();
  });

  it('a page shown again (visible, resume) reads the new tokens; a hidden one does not; with no user watched, visibility decides no lead', async () => {
    const { log, monitor, sync, lifecycle } = loggedTab();
    for (const signal of ['hidden', 'visible', 'hidden', 'resume'] as const) {
      log.push(signal);
      lifecycle.emit(signal);
    }
    await flush();
    expect(log).toEqual(['hidden', 'visible', 'new tokens', 'hidden', 'resume', 'new tokens']);
    expect(monitor.lead).not.toHaveBeenCalled();
    sync.close();
  });

  it('a waiting tab that is resumed or hidden does not take the lead', async () => {
    const { first, second, firstSync, secondSync } = await twoTabsOfAlice();
    second.lifecycle.emit('resume');
    second.lifecycle.emit('hidden');
    await flush();
    expect(second.monitor.lead).not.toHaveBeenCalled();
    expect(first.monitor.lead.mock.calls).toEqual([[true]]);
    firstSync.close();
    secondSync.close();
  });

  it('a leader that becomes visible or resumes keeps the lead while another tab waits', async () => {
    const { first, second, firstSync, secondSync } = await twoTabsOfAlice();
    first.lifecycle.emit('visible');
    first.lifecycle.emit('resume');
    await flush();
    expect(first.monitor.lead.mock.calls).toEqual([[true]]);
    expect(second.monitor.lead).not.toHaveBeenCalled();
    firstSync.close();
    secondSync.close();
  });

  it('a visible tab that starts watching takes the lead from a hidden tab of the same user', async () => {
    const locks = new FakeLockManager();
    const hidden = { monitor: fakeMonitor(), sync: createTabSync(source(), fakeLifecycle(false), locks) };
    const visible = { monitor: fakeMonitor(), sync: createTabSync(source(), fakeLifecycle(true), locks) };
    hidden.sync.attach(hidden.monitor);
    visible.sync.attach(visible.monitor);
    hidden.sync.watch('alice');
    await flush();
    visible.sync.watch('alice');
    await flush();
    expect(visible.monitor.lead.mock.calls).toEqual([[true]]);
    expect(hidden.monitor.lead.mock.calls).toEqual([[true], [false]]);
    hidden.sync.close();
    visible.sync.close();
  });

  it('watching the same user again changes nothing: the leader keeps the lead, the waiting tab waits', async () => {
    const { first, second, firstSync, secondSync } = await twoTabsOfAlice();
    firstSync.watch('alice');
    await flush();
    expect(first.monitor.lead.mock.calls).toEqual([[true]]);
    expect(second.monitor.lead).not.toHaveBeenCalled();
    firstSync.close();
    secondSync.close();
  });

  it('once closed, watching a user asks for no lock and leads nothing', async () => {
    const locks = new FakeLockManager();
    const monitor = fakeMonitor();
    const sync = createTabSync(source(), fakeLifecycle(true), locks);
    sync.attach(monitor);
    sync.close();
    sync.watch('alice');
    await flush();
    expect(locks.byName.size).toBe(0);
    expect(monitor.lead).not.toHaveBeenCalled();
  });

  it('leadership reaches the monitor from attach() on: a lead won before it is dropped without error, later changes arrive', async () => {
    const locks = new FakeLockManager();
    const errors = collectUncaught();
    const early = createTabSync(source(), fakeLifecycle(false), locks);
    // The fake grants a free lock at once: this tab leads before any monitor is attached.
    early.watch('alice');
    await flush();
    const monitor = fakeMonitor();
    early.attach(monitor);
    const visible = createTabSync(source(), fakeLifecycle(true), locks);
    visible.attach(fakeMonitor());
    visible.watch('alice');
    await flush();
    expect(monitor.lead.mock.calls).toEqual([[false]]);
    expect(errors.stop()).toEqual([]);
    early.close();
    visible.close();
  });

  it('a front-channel request reaching a tab with no session signs nothing out', async () => {
    const monitor = fakeMonitor();
    const sync = createTabSync({ ...source(), getSession: async () => null }, fakeLifecycle(), new FakeLockManager());
    sync.attach(monitor);
    const errors = collectUncaught();
    const channel = new BroadcastChannel(channelName);
    channel.postMessage({ type: 'frontChannelLogout', iss: 'https://op.example', sid: 'S1' });
    channel.postMessage({ type: 'monitoring', sub: 'alice' });
    await vi.waitFor(() => expect(monitor.follow).toHaveBeenCalled());
    await flush();
    expect(monitor.signOutFrom).not.toHaveBeenCalled();
    expect(errors.stop()).toEqual([]);
    channel.close();
    sync.close();
  });
});
