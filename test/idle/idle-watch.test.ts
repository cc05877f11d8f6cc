import { describe, expect, it } from 'vitest';
import { parseIdleRecord } from '../../src/idle/idle-record.js';
import { appKey } from '../../src/session/keys.js';
import { CLIENT_ID, FakeBrowser, ISSUER, flush, user } from './fake-tabs.js';

// The idle watch of one user across the tabs of one browser: timing, throttling, the one decision.

const TIMEOUT = 10 * 60_000;
const WARNING = 60_000;
const THROTTLE = 1000;
const options = { timeout: TIMEOUT, warning: WARNING };
const alice = user('alice');
const KEY = appKey('idle', ISSUER, CLIENT_ID, 'alice');
const LOCK = appKey('idle-decision', ISSUER, CLIENT_ID, 'alice');

const stored = (browser: FakeBrowser) => parseIdleRecord(browser.store.get(KEY) ?? null);

describe('idle watch, one tab', () => {
  it('warns `warning` ms before the timeout, with the time left, then times out and signs out once', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    const watch = tab.startWatch(options);
    await flush();
    const start = browser.clock.now();
    await browser.clock.advance(TIMEOUT - WARNING - 1);
    expect(watch.state).toBe('active');
    expect(tab.events('warning')).toEqual([]);
    await browser.clock.advance(1);
    expect(watch.state).toBe('warning');
    expect(tab.events('warning')).toEqual([{ remainingMs: WARNING, deadline: start + TIMEOUT }]);
    expect(watch.remainingMs()).toBe(WARNING);
    await browser.clock.advance(WARNING - 1);
    expect(tab.ends).toEqual([]);
    await browser.clock.advance(1);
    expect(watch.state).toBe('timedOut');
    expect(tab.ends).toEqual([true]);
    expect(tab.removals).toBe(1);
    expect(stored(browser)).toMatchObject({ out: true });
  });

  it('a timeout shorter than the watch\'s check period comes on time', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    tab.startWatch({ timeout: 3000, warning: 1000 });
    await browser.clock.advance(2999);
    expect(tab.ends).toEqual([]);
    await browser.clock.advance(1);
    expect(tab.ends).toEqual([true]);
  });

  it('tells the warning once, however many times the watch looks during it', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    tab.startWatch(options);
    await browser.clock.advance(TIMEOUT - 1);
    expect(tab.events('warning')).toHaveLength(1);
  });

  it('with BroadcastChannel, does not write to storage to test it at each look (other scripts hear every write)', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    const written: string[] = [];
    const write = browser.write.bind(browser);
    browser.write = (from, key, value) => (written.push(key), write(from, key, value));
    tab.startWatch(options);
    await browser.clock.advance(TIMEOUT - WARNING);
    expect(written.filter((key) => key !== KEY)).toEqual([`${KEY}:probe`, `${KEY}:probe`]); // once at the start: written and removed
  });

  it('activity moves the timeout; activity during the warning cancels it', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    const watch = tab.startWatch(options);
    await browser.clock.advance(5 * 60_000);
    tab.activity();
    expect(watch.remainingMs()).toBe(TIMEOUT);
    expect(watch.deadline).toBe(browser.clock.now() + TIMEOUT);
    await browser.clock.advance(TIMEOUT - WARNING);
    expect(watch.state).toBe('warning');
    await browser.clock.advance(10_000);
    tab.activity();
    await flush();
    expect(watch.state).toBe('active');
    expect(tab.events('warningCancelled')).toEqual([{ deadline: browser.clock.now() + TIMEOUT }]);
    expect(tab.ends).toEqual([]);
  });

  it('shares a burst of activity once per throttle period, and its last event at the end of the period', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    tab.startWatch(options);
    await browser.clock.advance(60_000);
    const writes: Array<string | null> = [];
    const write = browser.write.bind(browser);
    browser.write = (from, key, value) => (key === KEY && writes.push(value), write(from, key, value));
    for (let i = 0; i < 100; i++) {
      tab.activity();
      await browser.clock.advance(5);
    }
    // 100 events over 500 ms: one write at once; the last event, 495 ms later, waits for the period's end.
    expect(writes).toHaveLength(1);
    const last = browser.clock.now() - 5;
    await browser.clock.advance(THROTTLE);
    expect(writes).toHaveLength(2);
    expect(stored(browser)?.at).toBe(last);
  });

  it('shares activity at once when a full throttle period passed since the last share', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    tab.startWatch(options);
    await browser.clock.advance(60_000);
    const writes: Array<string | null> = [];
    const write = browser.write.bind(browser);
    browser.write = (from, key, value) => (key === KEY && writes.push(value), write(from, key, value));
    tab.activity();
    await browser.clock.advance(THROTTLE);
    tab.activity();
    expect(writes).toHaveLength(2);
  });

  it('with a timeout of at most two throttle periods, shares every activity at once', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    tab.startWatch({ timeout: 2 * THROTTLE, warning: 100 });
    await flush();
    const writes: Array<string | null> = [];
    const write = browser.write.bind(browser);
    browser.write = (from, key, value) => (key === KEY && writes.push(value), write(from, key, value));
    await browser.clock.advance(10);
    tab.activity();
    expect(writes).toHaveLength(1);
  });

  it('extend() ends the warning; it does nothing once timed out', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    const watch = tab.startWatch(options);
    await browser.clock.advance(TIMEOUT - 1000);
    expect(watch.state).toBe('warning');
    watch.extend();
    expect(watch.state).toBe('active');
    expect(watch.remainingMs()).toBe(TIMEOUT);
    await browser.clock.advance(TIMEOUT);
    expect(watch.state).toBe('timedOut');
    watch.extend();
    expect(watch.state).toBe('timedOut');
    expect(tab.ends).toEqual([true]);
  });

  it('stop() leaves no timer, listener or channel, and no timeout ever comes', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    const watch = tab.startWatch(options);
    await browser.clock.advance(1000);
    tab.activity();
    await browser.clock.advance(10);
    tab.activity(); // a trailing write is now pending
    watch.stop();
    expect(watch.state).toBe('stopped');
    expect(browser.clock.pending).toBe(0);
    expect(tab.activityListeners.size + tab.storageListeners.size + browser.openChannels).toBe(0);
    await browser.clock.advance(2 * TIMEOUT);
    expect(tab.ends).toEqual([]);
  });

  it('a timeout leaves no timer, listener or channel either', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    const watch = tab.startWatch(options);
    await browser.clock.advance(TIMEOUT);
    expect(watch.state).toBe('timedOut');
    expect(browser.clock.pending).toBe(0);
    expect(tab.activityListeners.size + tab.storageListeners.size + browser.openChannels).toBe(0);
  });
  it('tells each change of state: inactive until the user is read, active, warning, back to active, stopped', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    const watch = tab.startWatch(options);
    expect(watch.state).toBe('inactive');
    await browser.clock.advance(TIMEOUT - WARNING);
    tab.activity();
    watch.stop();
    expect(tab.events('state')).toEqual([
      { state: 'active', previous: 'inactive' },
      { state: 'warning', previous: 'active' },
      { state: 'active', previous: 'warning' },
      { state: 'stopped', previous: 'active' },
    ]);
  });

  it('tells the timeout as warning → timedOut, and stays timedOut after stop()', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    const watch = tab.startWatch(options);
    await browser.clock.advance(TIMEOUT);
    watch.stop();
    expect(watch.state).toBe('timedOut');
    expect(tab.events('state').slice(1)).toEqual([
      { state: 'warning', previous: 'active' },
      { state: 'timedOut', previous: 'warning' },
    ]);
  });

  it('has no deadline and no time left while nobody is signed in, or once timed out', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(null);
    const watch = tab.startWatch(options);
    await flush();
    expect([watch.deadline, watch.remainingMs()]).toEqual([undefined, 0]);
    tab.signIn(alice);
    await browser.clock.advance(TIMEOUT - 1);
    expect([watch.deadline, watch.remainingMs()]).toEqual([browser.clock.now() + 1, 1]);
    await browser.clock.advance(1);
    expect([watch.deadline, watch.remainingMs()]).toEqual([undefined, 0]);
  });

  it('when the decision lock cannot be had (the page is going away), asks for it again a moment later', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    const lock = tab.env.lock!;
    let refused = 0;
    tab.env.lock = (name, task) => (refused++ === 0 ? Promise.reject(new DOMException('Aborted.', 'AbortError')) : lock(name, task));
    tab.startWatch(options);
    await browser.clock.advance(TIMEOUT);
    expect(tab.ends).toEqual([]);
    await browser.clock.advance(THROTTLE);
    expect(tab.ends).toEqual([true]);
  });

  it('after the decision found newer activity in the record, the tab times out at the next timeout', async () => {
    const browser = new FakeBrowser();
    browser.hasChannel = false;
    const tab = browser.open(alice);
    tab.startWatch(options);
    await browser.clock.advance(TIMEOUT - 1);
    const release = browser.hold(LOCK);
    await browser.clock.advance(1);
    browser.store.set(KEY, JSON.stringify({ ...stored(browser)!, at: browser.clock.now(), n: 'another-tab' })); // no event reaches this tab
    release();
    await flush();
    expect(tab.ends).toEqual([]);
    await browser.clock.advance(TIMEOUT);
    expect(tab.ends).toEqual([true]);
  });
});

describe('idle watch, several tabs of one user', () => {
  it('activity in tab 2 keeps tab 1 signed in, and tab 1 shows no warning', async () => {
    const browser = new FakeBrowser();
    const one = browser.open(alice);
    const two = browser.open(alice);
    const watch = one.startWatch(options);
    two.startWatch(options);
    for (let minute = 0; minute < 30; minute++) {
      await browser.clock.advance(60_000);
      two.activity();
    }
    await flush();
    expect(watch.state).toBe('active');
    expect(one.events('warning')).toEqual([]);
    expect([one.ends, two.ends]).toEqual([[], []]);
  });

  it.each([
    ['storage and BroadcastChannel', true],
    ['storage alone', false],
  ])('idle everywhere (%s): both tabs warn at the same moment, one decides, both sign out once', async (_how, hasChannel) => {
    const browser = new FakeBrowser();
    browser.hasChannel = hasChannel;
    const one = browser.open(alice);
    one.startWatch(options);
    await browser.clock.advance(2 * 60_000);
    const two = browser.open(alice); // opened later: joins the period
    two.startWatch(options);
    await flush();
    expect(two.watch?.remainingMs()).toBe(one.watch?.remainingMs());
    await browser.clock.advance(TIMEOUT - 2 * 60_000 - WARNING);
    expect([one.watch?.state, two.watch?.state]).toEqual(['warning', 'warning']);
    await browser.clock.advance(WARNING);
    await flush();
    expect([one.watch?.state, two.watch?.state]).toEqual(['timedOut', 'timedOut']);
    expect([...one.ends, ...two.ends].sort()).toEqual([false, true]);
  });

  it('"stay signed in" in one tab cancels the warning in the other', async () => {
    const browser = new FakeBrowser();
    const one = browser.open(alice);
    const two = browser.open(alice);
    one.startWatch(options);
    two.startWatch(options);
    await browser.clock.advance(TIMEOUT - 30_000);
    expect([one.watch?.state, two.watch?.state]).toEqual(['warning', 'warning']);
    two.watch?.extend();
    await flush();
    expect([one.watch?.state, two.watch?.state]).toEqual(['active', 'active']);
    expect(one.events('warningCancelled')).toHaveLength(1);
    await browser.clock.advance(TIMEOUT - WARNING - 1);
    expect(one.ends).toEqual([]);
  });

  it('never times out while another tab stored activity since: the due tab re-reads the record first', async () => {
    const browser = new FakeBrowser();
    browser.hasChannel = false;
    const one = browser.open(alice);
    const two = browser.open(alice);
    one.startWatch(options);
    two.startWatch(options);
    await browser.clock.advance(TIMEOUT - 1);
    // Tab 2's activity reaches storage, but tab 1 has not heard the storage event yet when its timer fires.
    const listeners = [...one.storageListeners];
    one.storageListeners.clear();
    two.activity();
    await browser.clock.advance(1);
    expect(one.watch?.state).not.toBe('timedOut');
    expect(one.ends).toEqual([]);
    listeners.forEach((l) => one.storageListeners.add(l));
    await browser.clock.advance(TIMEOUT);
    expect(one.ends.length + two.ends.length).toBe(2);
  });

  it('activity stored while the decider waited for the lock wins: it re-reads the record there', async () => {
    const browser = new FakeBrowser();
    browser.hasChannel = false;
    const one = browser.open(alice);
    const two = browser.open(alice);
    one.startWatch(options);
    two.startWatch(options);
    await browser.clock.advance(TIMEOUT - 1);
    const release = browser.hold(LOCK);
    await browser.clock.advance(1); // both tabs are due and wait for the lock
    one.storageListeners.clear(); // neither tab hears anything more
    two.storageListeners.clear();
    const session = stored(browser)!.s;
    browser.store.set(KEY, JSON.stringify({ s: session, at: browser.clock.now(), n: 'third-tab' })); // a third tab's activity
    release();
    await flush();
    expect([one.ends, two.ends]).toEqual([[], []]);
    expect([one.watch?.state, two.watch?.state]).toEqual(['active', 'active']);
    expect([one.events('warningCancelled'), two.events('warningCancelled')]).toEqual([[{ deadline: browser.clock.now() + TIMEOUT }], [{ deadline: browser.clock.now() + TIMEOUT }]]);
  });

  it('without BroadcastChannel, a tab whose timeout mark cannot be stored (storage failed while it waited for the lock) does not decide', async () => {
    const browser = new FakeBrowser();
    browser.hasChannel = false;
    const one = browser.open(alice);
    const two = browser.open(alice);
    one.startWatch(options);
    two.startWatch(options);
    await browser.clock.advance(TIMEOUT - 1);
    const release = browser.hold(LOCK);
    await browser.clock.advance(1);
    browser.storageWritable = false;
    release();
    await flush();
    expect([one.ends, two.ends]).toEqual([[], []]);
    await browser.clock.advance(10_000);
    expect([one.watch?.state, two.watch?.state]).toEqual(['unavailable', 'unavailable']);
  });

  it('a tab stopped while it waited for the lock leaves the decision to the tabs still watching', async () => {
    const browser = new FakeBrowser();
    const one = browser.open(alice);
    const two = browser.open(alice);
    one.startWatch(options);
    two.startWatch(options);
    await browser.clock.advance(TIMEOUT - 1);
    const release = browser.hold(LOCK);
    await browser.clock.advance(1); // both tabs are due and wait for the lock, tab 1 first
    one.close();
    release();
    await flush();
    expect([one.ends, two.ends]).toEqual([[], [true]]);
    expect(one.removals).toBe(0);
  });

  it('tabs that all reached the timeout while the lock was held: one decides, the others follow its mark', async () => {
    const browser = new FakeBrowser();
    browser.hasChannel = false;
    const tabs = Array.from({ length: 3 }, () => browser.open(alice));
    for (const tab of tabs) tab.startWatch(options);
    await browser.clock.advance(TIMEOUT - 1);
    const release = browser.hold(LOCK);
    await browser.clock.advance(1);
    for (const tab of tabs) tab.storageListeners.clear();
    release();
    await flush();
    expect(tabs.flatMap((tab) => tab.ends).sort()).toEqual([false, false, true]);
  });

  it('closing the tab that showed the warning loses nothing: the other tab times out on time', async () => {
    const browser = new FakeBrowser();
    const one = browser.open(alice);
    const two = browser.open(alice);
    one.startWatch(options);
    two.startWatch(options);
    await browser.clock.advance(TIMEOUT - WARNING);
    one.close();
    await browser.clock.advance(WARNING);
    expect(two.watch?.state).toBe('timedOut');
    expect(two.ends).toEqual([true]);
  });

  it('a tab opened after the timeout passed with no tab open starts a new period instead of signing out', async () => {
    const browser = new FakeBrowser();
    const one = browser.open(alice);
    one.startWatch(options);
    await browser.clock.advance(60_000);
    one.close();
    await browser.clock.advance(2 * TIMEOUT);
    const two = browser.open(alice);
    const watch = two.startWatch(options);
    await flush();
    expect(watch.state).toBe('active');
    expect(watch.remainingMs()).toBe(TIMEOUT);
  });

  it('a tab started after a timeout (a new sign-in into the same OP session) starts a new period; the old mark does not end it', async () => {
    const browser = new FakeBrowser();
    const one = browser.open(alice);
    one.startWatch(options);
    await browser.clock.advance(TIMEOUT);
    expect(one.watch?.state).toBe('timedOut');
    await browser.clock.advance(1000);
    const two = browser.open(alice);
    two.startWatch(options);
    await browser.clock.advance(TIMEOUT - 1);
    expect(two.watch?.state).toBe('warning');
    expect(two.ends).toEqual([]);
  });

  it('with many tabs idle, exactly one decides', async () => {
    const browser = new FakeBrowser();
    const tabs = Array.from({ length: 5 }, () => browser.open(alice));
    for (const tab of tabs) tab.startWatch(options);
    await browser.clock.advance(TIMEOUT);
    await flush();
    const decided = tabs.flatMap((tab) => tab.ends);
    expect(decided.filter(Boolean)).toHaveLength(1);
    expect(decided).toHaveLength(5);
  });

  it('ignores a malformed record or message another script wrote', async () => {
    const browser = new FakeBrowser();
    const one = browser.open(alice);
    one.startWatch(options);
    await browser.clock.advance(60_000);
    const remaining = one.watch?.remainingMs();
    browser.store.set(KEY, '{"s":1,"at":"soon"}');
    one.storageListeners.forEach((l) => l(KEY, '{"s":1,"at":"soon"}'));
    await flush();
    expect(one.watch?.remainingMs()).toBe(remaining);
  });
});

describe('idle watch, what it stores and tells', () => {
  it('the timeout mark stores when the user was last active', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    tab.startWatch(options);
    await flush();
    const start = browser.clock.now();
    await browser.clock.advance(TIMEOUT);
    expect(tab.ends).toEqual([true]);
    expect(stored(browser)).toMatchObject({ out: true, at: start });
  });

  it('the timeout mark keeps the session the record names', async () => {
    const browser = new FakeBrowser();
    browser.store.set(KEY, JSON.stringify({ s: 'another-session', at: browser.clock.now(), n: 'old' }));
    const tab = browser.open(alice);
    tab.startWatch(options);
    await flush();
    expect(stored(browser)?.s).toBe('another-session');
    await browser.clock.advance(TIMEOUT);
    expect(tab.ends).toEqual([true]);
    expect(stored(browser)).toMatchObject({ out: true, s: 'another-session' });
  });

  it('storage that works again after the tab was unavailable cancels no warning that was never given', async () => {
    const browser = new FakeBrowser();
    browser.hasChannel = false;
    browser.storageWritable = false;
    const tab = browser.open(alice);
    const watch = tab.startWatch(options);
    await flush();
    expect(watch.state).toBe('unavailable');
    browser.storageWritable = true;
    await browser.clock.advance(10_000);
    expect(watch.state).toBe('active');
    expect(tab.events('warningCancelled')).toEqual([]);
  });

  it('activity during the warning ends it at once, even right after a share', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    const watch = tab.startWatch({ timeout: 10_000, warning: 9_500 });
    await flush();
    await browser.clock.advance(600);
    expect(watch.state).toBe('warning');
    tab.activity();
    await flush();
    expect(watch.state).toBe('active');
    expect(stored(browser)?.at).toBe(browser.clock.now());
  });

  it('with storage read-only, an old timeout mark found at the start does not end the period: the tab decides', async () => {
    const browser = new FakeBrowser();
    browser.store.set(KEY, JSON.stringify({ s: 'alice-old', at: browser.clock.now() - 3 * TIMEOUT, n: 'old-mark', out: true }));
    browser.storageWritable = false;
    const tab = browser.open(alice);
    tab.startWatch(options);
    await flush();
    tab.activity();
    await browser.clock.advance(TIMEOUT);
    expect(tab.ends).toEqual([true]);
  });

  it('a share ends the throttle period of earlier activity: later activity waits a full period from that share', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    const watch = tab.startWatch(options);
    await browser.clock.advance(60_000);
    tab.activity(); // shared at once
    await browser.clock.advance(100);
    tab.activity(); // pending, for the end of the period
    await browser.clock.advance(100);
    watch.extend(); // shared at once: nothing pending any more
    await flush();
    await browser.clock.advance(100);
    const writes: Array<string | null> = [];
    const write = browser.write.bind(browser);
    browser.write = (from, key, value) => (key === KEY && writes.push(value), write(from, key, value));
    tab.activity(); // pending, until a period after the extend
    await browser.clock.advance(THROTTLE - 101);
    expect(writes).toEqual([]);
    await browser.clock.advance(1);
    expect(writes).toHaveLength(1);
  });

  it('a tab that joined a period late decides once it has watched one check period, not before, not later', async () => {
    const browser = new FakeBrowser();
    const one = browser.open(alice);
    one.startWatch(options);
    await flush();
    one.close();
    await browser.clock.advance(TIMEOUT - 5000);
    const two = browser.open(alice);
    two.startWatch(options);
    await flush();
    await browser.clock.advance(5000);
    expect(two.ends).toEqual([]);
    await browser.clock.advance(4999);
    expect(two.ends).toEqual([]);
    await browser.clock.advance(1);
    expect(two.ends).toEqual([true]);
  });

  it('a tab that joined a period decides at the very end of its first check period', async () => {
    const browser = new FakeBrowser();
    const one = browser.open(alice);
    one.startWatch(options);
    await flush();
    one.close();
    await browser.clock.advance(TIMEOUT - 10_000);
    const two = browser.open(alice);
    two.startWatch(options);
    await flush();
    await browser.clock.advance(9_999);
    expect(two.ends).toEqual([]);
    await browser.clock.advance(1);
    expect(two.ends).toEqual([true]);
  });

  it('a malformed message on the channel is ignored: the timeout still comes on time', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    const other = browser.open(null);
    tab.startWatch(options);
    await flush();
    browser.channel(other, KEY)?.post({ t: 'nonsense' } as never);
    await flush();
    await browser.clock.advance(TIMEOUT - 1);
    expect(tab.ends).toEqual([]);
    await browser.clock.advance(1);
    expect(tab.ends).toEqual([true]);
  });
});
