import { describe, expect, it } from 'vitest';
import { createIdleWatch, type IdleWatchDeps } from '../../src/idle/idle-watch.js';
import type { IdleEvents, IdleWatch } from '../../src/idle/types.js';
import { FakeClock, flush } from '../support/fake-clock.js';

const KEY = 'idle-key';
const TIMEOUT = 10 * 60_000;
const WARNING = 60_000;
const THROTTLE = 1000;

/**
 * One browser: tabs sharing a clock, a localStorage (other tabs hear writes as `storage` events, a task later) and
 * one Web Lock.
 */
class Browser {
  readonly clock = new FakeClock();
  readonly store = new Map<string, string>();
  readonly tabs: Tab[] = [];
  #lock: Promise<void> = Promise.resolve();
  lockRequests = 0;

  open(options: { timeoutMs?: number; warningMs?: number; endFails?: boolean } = {}): Tab {
    const tab = new Tab(this, options);
    this.tabs.push(tab);
    return tab;
  }

  write(from: Tab, key: string, value: string): void {
    if (this.store.get(key) === value) return;
    this.store.set(key, value);
    for (const tab of this.tabs) if (tab !== from) queueMicrotask(() => tab.storageListeners.forEach((listener) => listener()));
  }

  /** Holds the lock (another tab's decision in progress) until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const previous = this.#lock;
    this.#lock = previous.then(() => held);
    return release;
  }

  withLock(decide: () => void): Promise<void> {
    this.lockRequests += 1;
    const run = this.#lock.then(decide);
    this.#lock = run.catch(() => {});
    return run;
  }
}

class Tab {
  readonly storageListeners = new Set<() => void>();
  readonly activityListeners = new Set<() => void>();
  readonly seen: Array<{ event: keyof IdleEvents; payload: unknown }> = [];
  readonly ends: boolean[] = [];
  readonly watch: IdleWatch;

  constructor(readonly browser: Browser, options: { timeoutMs?: number; warningMs?: number; endFails?: boolean }) {
    const deps: IdleWatchDeps = {
      clock: browser.clock,
      storage: {
        getItem: (key) => browser.store.get(key) ?? null,
        setItem: (key, value) => browser.write(this, key, value),
        removeItem: (key) => void browser.store.delete(key),
      },
      key: KEY,
      subscribeRecord: (listener) => (this.storageListeners.add(listener), () => void this.storageListeners.delete(listener)),
      subscribeActivity: (listener) => (this.activityListeners.add(listener), () => void this.activityListeners.delete(listener)),
      withLock: (decide) => browser.withLock(decide),
      timeoutMs: options.timeoutMs ?? TIMEOUT,
      warningMs: options.warningMs ?? WARNING,
      throttleMs: THROTTLE,
      end: async (decidedHere) => {
        this.ends.push(decidedHere);
      },
    };
    this.watch = createIdleWatch(deps);
    for (const event of ['warning', 'warningCancelled', 'timeout', 'state'] as const) {
      this.watch.on(event, (payload) => this.seen.push({ event, payload }));
    }
  }

  activity(): void {
    for (const listener of [...this.activityListeners]) listener();
  }

  events(name: keyof IdleEvents): unknown[] {
    return this.seen.filter((e) => e.event === name).map((e) => e.payload);
  }
}

const stored = (browser: Browser) => JSON.parse(browser.store.get(KEY) ?? 'null') as { deadline: number; timedOut?: true } | null;

describe('idle watch, one tab', () => {
  it('warns `warning` ms before the timeout, with the time left, then times out and signs out once', async () => {
    const browser = new Browser();
    const tab = browser.open();
    const start = browser.clock.now();
    await browser.clock.advance(TIMEOUT - WARNING - 1);
    expect(tab.watch.state).toBe('active');
    expect(tab.events('warning')).toEqual([]);
    await browser.clock.advance(1);
    expect(tab.watch.state).toBe('warning');
    expect(tab.events('warning')).toEqual([{ remainingMs: WARNING, deadline: start + TIMEOUT }]);
    expect(tab.watch.remainingMs()).toBe(WARNING);
    await browser.clock.advance(WARNING - 1);
    expect(tab.ends).toEqual([]);
    await browser.clock.advance(1);
    expect(tab.watch.state).toBe('timedOut');
    expect(tab.events('timeout')).toEqual([{ decidedHere: true }]);
    expect(tab.ends).toEqual([true]);
    expect(stored(browser)).toEqual({ deadline: start + TIMEOUT, timedOut: true });
  });

  it('activity moves the deadline; activity during the warning cancels it', async () => {
    const browser = new Browser();
    const tab = browser.open();
    await browser.clock.advance(5 * 60_000);
    tab.activity();
    const movedTo = browser.clock.now() + TIMEOUT;
    expect(tab.watch.deadline).toBe(movedTo);
    await browser.clock.advance(TIMEOUT - WARNING);
    expect(tab.watch.state).toBe('warning');
    await browser.clock.advance(10_000);
    tab.activity();
    await flush();
    expect(tab.watch.state).toBe('active');
    expect(tab.events('warningCancelled')).toEqual([{ deadline: browser.clock.now() + TIMEOUT }]);
    expect(tab.ends).toEqual([]);
  });

  it('records a burst of activity once per throttle period, and its last event at the end of the period', async () => {
    const browser = new Browser();
    const tab = browser.open();
    const writes: string[] = [];
    const write = browser.write.bind(browser);
    browser.write = (from, key, value) => (writes.push(value), write(from, key, value));
    await browser.clock.advance(60_000);
    for (let i = 0; i < 100; i++) {
      tab.activity();
      await browser.clock.advance(5);
    }
    // 100 events over 500 ms: one write at once; the last event, 495 ms later, waits for the period's end.
    expect(writes).toHaveLength(1);
    const last = browser.clock.now() - 5;
    await browser.clock.advance(THROTTLE);
    expect(writes).toHaveLength(2);
    expect(stored(browser)?.deadline).toBe(last + TIMEOUT);
  });

  it('extend() ends the warning; it does nothing once timed out', async () => {
    const browser = new Browser();
    const tab = browser.open();
    await browser.clock.advance(TIMEOUT - 1000);
    expect(tab.watch.state).toBe('warning');
    tab.watch.extend();
    expect(tab.watch.state).toBe('active');
    expect(tab.watch.deadline).toBe(browser.clock.now() + TIMEOUT);
    await browser.clock.advance(TIMEOUT);
    expect(tab.watch.state).toBe('timedOut');
    tab.watch.extend();
    expect(tab.watch.state).toBe('timedOut');
    expect(tab.ends).toEqual([true]);
  });

  it('stop() leaves no timer or listener, and no timeout ever comes', async () => {
    const browser = new Browser();
    const tab = browser.open();
    await browser.clock.advance(1000);
    tab.activity();
    await browser.clock.advance(10);
    tab.activity(); // a trailing write is now pending
    tab.watch.stop();
    expect(tab.watch.state).toBe('stopped');
    expect(browser.clock.pending).toBe(0);
    expect(tab.activityListeners.size).toBe(0);
    expect(tab.storageListeners.size).toBe(0);
    await browser.clock.advance(2 * TIMEOUT);
    expect(tab.ends).toEqual([]);
  });

  it('a timeout leaves no timer or listener either', async () => {
    const browser = new Browser();
    const tab = browser.open();
    await browser.clock.advance(TIMEOUT);
    expect(tab.watch.state).toBe('timedOut');
    expect(browser.clock.pending).toBe(0);
    expect(tab.activityListeners.size + tab.storageListeners.size).toBe(0);
  });
});

describe('idle watch, several tabs', () => {
  it('activity in tab 2 keeps tab 1 signed in, and tab 1 shows no warning', async () => {
    const browser = new Browser();
    const one = browser.open();
    const two = browser.open();
    for (let minute = 0; minute < 30; minute++) {
      await browser.clock.advance(60_000);
      two.activity();
    }
    await flush();
    expect(one.watch.state).toBe('active');
    expect(one.events('warning')).toEqual([]);
    expect(one.ends).toEqual([]);
    expect(two.ends).toEqual([]);
  });

  it('idle everywhere: both tabs warn at the same moment, one decides, both sign out once', async () => {
    const browser = new Browser();
    const one = browser.open();
    await browser.clock.advance(2 * 60_000);
    const two = browser.open(); // opened later: joins the deadline
    await flush();
    expect(two.watch.deadline).toBe(one.watch.deadline);
    await browser.clock.advance(TIMEOUT - 2 * 60_000 - WARNING);
    expect([one.watch.state, two.watch.state]).toEqual(['warning', 'warning']);
    await browser.clock.advance(WARNING);
    await flush();
    expect([one.watch.state, two.watch.state]).toEqual(['timedOut', 'timedOut']);
    expect([...one.ends, ...two.ends].sort()).toEqual([false, true]);
    expect([...one.events('timeout'), ...two.events('timeout')]).toHaveLength(2);
  });

  it('"stay signed in" in one tab cancels the warning in the other', async () => {
    const browser = new Browser();
    const one = browser.open();
    const two = browser.open();
    await browser.clock.advance(TIMEOUT - 30_000);
    expect([one.watch.state, two.watch.state]).toEqual(['warning', 'warning']);
    two.watch.extend();
    await flush();
    expect([one.watch.state, two.watch.state]).toEqual(['active', 'active']);
    expect(one.events('warningCancelled')).toHaveLength(1);
    await browser.clock.advance(TIMEOUT - WARNING - 1);
    expect(one.ends).toEqual([]);
  });

  it('never times out while another tab recorded activity since: the due tab re-reads the shared deadline first', async () => {
    const browser = new Browser();
    const one = browser.open();
    const two = browser.open();
    await browser.clock.advance(TIMEOUT - 1);
    // Tab 2's activity reaches storage, but tab 1 has not heard the storage event yet when its timer fires.
    const listeners = [...one.storageListeners];
    one.storageListeners.clear();
    two.activity();
    await browser.clock.advance(1);
    expect(one.watch.state).not.toBe('timedOut');
    expect(one.ends).toEqual([]);
    listeners.forEach((l) => one.storageListeners.add(l));
    await browser.clock.advance(TIMEOUT);
    expect([one.ends.length + two.ends.length]).toEqual([2]);
  });

  it('activity recorded while the decider waited for the lock wins: it re-reads the deadline there', async () => {
    const browser = new Browser();
    const one = browser.open();
    const two = browser.open();
    await browser.clock.advance(TIMEOUT - 1);
    const release = browser.hold();
    await browser.clock.advance(1); // both tabs are due and wait for the lock
    two.storageListeners.clear(); // tab 2 has not yet heard anything either
    one.storageListeners.clear();
    browser.store.set(KEY, JSON.stringify({ deadline: browser.clock.now() + TIMEOUT })); // a third tab's activity
    release();
    await flush();
    expect([one.ends, two.ends]).toEqual([[], []]);
    expect([one.watch.state, two.watch.state]).toEqual(['active', 'active']);
    expect([one.events('warningCancelled'), two.events('warningCancelled')]).toEqual([[{ deadline: browser.clock.now() + TIMEOUT }], [{ deadline: browser.clock.now() + TIMEOUT }]]);
  });

  it('tabs that all reached the deadline while the lock was held: one decides, the others follow its mark', async () => {
    const browser = new Browser();
    const tabs = Array.from({ length: 3 }, () => browser.open());
    await browser.clock.advance(TIMEOUT - 1);
    const release = browser.hold();
    await browser.clock.advance(1);
    for (const tab of tabs) tab.storageListeners.clear();
    release();
    await flush();
    expect(tabs.map((tab) => tab.ends).flat().sort()).toEqual([false, false, true]);
  });

  it('closing the tab that showed the warning loses nothing: the other tab times out on time', async () => {
    const browser = new Browser();
    const one = browser.open({ warningMs: WARNING });
    const two = browser.open();
    await browser.clock.advance(TIMEOUT - WARNING);
    one.watch.stop();
    await browser.clock.advance(WARNING);
    expect(two.watch.state).toBe('timedOut');
    expect(two.ends).toEqual([true]);
  });

  it('a tab opened after the deadline passed with no tab open starts a new period instead of signing out', async () => {
    const browser = new Browser();
    const one = browser.open();
    await browser.clock.advance(60_000);
    one.watch.stop();
    await browser.clock.advance(2 * TIMEOUT);
    const two = browser.open();
    await flush();
    expect(two.watch.state).toBe('active');
    expect(two.watch.deadline).toBe(browser.clock.now() + TIMEOUT);
  });

  it('a tab started after a timeout (a new sign-in) starts a new period; the mark of the old one does not end it', async () => {
    const browser = new Browser();
    const one = browser.open();
    await browser.clock.advance(TIMEOUT);
    expect(one.watch.state).toBe('timedOut');
    await browser.clock.advance(1000);
    const two = browser.open();
    await browser.clock.advance(TIMEOUT - 1);
    expect(two.watch.state).toBe('warning');
    expect(two.ends).toEqual([]);
  });

  it('with many tabs idle, exactly one decides', async () => {
    const browser = new Browser();
    const tabs = Array.from({ length: 5 }, () => browser.open());
    await browser.clock.advance(TIMEOUT);
    await flush();
    const decided = tabs.flatMap((tab) => tab.ends);
    expect(decided.filter(Boolean)).toHaveLength(1);
    expect(decided).toHaveLength(5);
  });

  it('ignores a malformed record another script wrote, keeping its own deadline', async () => {
    const browser = new Browser();
    const one = browser.open();
    const deadline = one.watch.deadline;
    browser.store.set(KEY, '{"deadline":"soon"}');
    one.storageListeners.forEach((l) => l());
    expect(one.watch.deadline).toBe(deadline);
    expect(stored(browser)).toEqual({ deadline });
  });
});
