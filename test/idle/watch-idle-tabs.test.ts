import { describe, expect, it } from 'vitest';
import { appKey } from '../../src/session/keys.js';
import { CLIENT_ID, FakeBrowser, type FakeTab, ISSUER, flush, user } from './fake-tabs.js';

// watchIdle in several tabs of one browser (test/idle/fake-tabs.ts), each with its own user store, against what
// DESIGN.md trap 13 asks: idle is per user, on elapsed time, never decided on unknown, and a new sign-in starts anew.

const TIMEOUT = 10 * 60_000;
const WARNING = 60_000;
const MINUTE = 60_000;
const options = { timeout: TIMEOUT, warning: WARNING };
const alice = user('alice');
const bob = user('bob');

/** Activity in `tab` once a minute for `minutes` minutes. */
async function workIn(tab: { activity(): void; browser: FakeBrowser }, minutes: number): Promise<void> {
  for (let minute = 0; minute < minutes; minute++) {
    await tab.browser.clock.advance(MINUTE);
    tab.activity();
  }
  await flush();
}

describe('storage that cannot be written', () => {
  it('activity in one tab still keeps a background tab of the same user signed in (over BroadcastChannel)', async () => {
    const browser = new FakeBrowser();
    const working = browser.open(alice);
    const background = browser.open(alice);
    working.startWatch(options);
    background.startWatch(options);
    await flush();
    browser.storageWritable = false; // quota exceeded from now on
    await workIn(working, 30);
    expect([working.ends, background.ends]).toEqual([[], []]);
    expect(background.events('warning')).toEqual([]);
    expect([working.removals, background.removals]).toEqual([0, 0]);
  });

  it('with storage blocked altogether, the same', async () => {
    const browser = new FakeBrowser();
    browser.storageReadable = false;
    const working = browser.open(alice);
    const background = browser.open(alice);
    working.startWatch(options);
    background.startWatch(options);
    await workIn(working, 30);
    expect([working.ends, background.ends]).toEqual([[], []]);
  });

  it('a tab opened later learns from the others (over BroadcastChannel) where the period stands', async () => {
    const browser = new FakeBrowser();
    browser.storageReadable = false;
    const one = browser.open(alice);
    one.startWatch(options);
    await browser.clock.advance(3 * MINUTE);
    const two = browser.open(alice);
    two.startWatch(options);
    await flush();
    expect(two.watch?.remainingMs()).toBe(TIMEOUT - 3 * MINUTE);
    await browser.clock.advance(TIMEOUT - 3 * MINUTE);
    await flush();
    expect([...one.ends, ...two.ends].sort()).toEqual([false, true]);
  });

  it.each([
    ['activity', (tab: FakeTab) => tab.activity()],
    ['extend()', (tab: FakeTab) => tab.watch!.extend()],
  ])('a tab started without storage counts its own %s before the others answer: a late answer of older activity does not undo it', async (_what, act) => {
    const browser = new FakeBrowser();
    browser.storageReadable = false;
    const tab = browser.open(alice);
    tab.startWatch(options);
    await browser.clock.advance(MINUTE);
    act(tab);
    const late = browser.channel(browser.open(null), appKey('idle', ISSUER, CLIENT_ID, 'alice'))!;
    late.post({ t: 'activity', ago: 8 * MINUTE }); // another tab's answer to the hello, late
    await flush();
    expect(tab.watch?.remainingMs()).toBe(TIMEOUT);
  });

  it('idle in every tab: one tab decides and every tab learns of it and signs its user out', async () => {
    const browser = new FakeBrowser();
    browser.storageWritable = false;
    const one = browser.open(alice);
    const two = browser.open(alice);
    one.startWatch(options);
    two.startWatch(options);
    await browser.clock.advance(TIMEOUT);
    await flush();
    expect([...one.ends, ...two.ends].sort()).toEqual([false, true]);
    expect([one.removals, two.removals]).toEqual([1, 1]);
  });

  it('neither storage nor BroadcastChannel: no tab decides alone (unknown is not idle), and the watch says so', async () => {
    const browser = new FakeBrowser();
    browser.storageWritable = false;
    browser.hasChannel = false;
    const one = browser.open(alice);
    const two = browser.open(alice);
    const watch = one.startWatch(options);
    two.startWatch(options);
    await flush();
    expect(watch.state).toBe('unavailable');
    await browser.clock.advance(3 * TIMEOUT);
    expect([one.ends, two.ends]).toEqual([[], []]);
    expect([one.removals, two.removals]).toEqual([0, 0]);
    // Storage works again: the watch shares again, and an idle user is signed out within the timeout.
    browser.storageWritable = true;
    one.activity();
    expect(watch.state).toBe('active');
    await browser.clock.advance(TIMEOUT);
    await flush();
    expect([...one.ends, ...two.ends]).toContain(true);
  });
});

describe('a tab that can no longer reach the others', () => {
  it('during the warning: cancels the warning, since it will sign nobody out, and reports unavailable', async () => {
    const browser = new FakeBrowser();
    browser.hasChannel = false;
    const tab = browser.open(alice);
    const watch = tab.startWatch(options);
    await browser.clock.advance(TIMEOUT - WARNING);
    expect(watch.state).toBe('warning');
    browser.storageWritable = false;
    await browser.clock.advance(10_000);
    expect(watch.state).toBe('unavailable');
    expect(tab.events('warningCancelled')).toEqual([{ deadline: browser.clock.now() + WARNING - 10_000 }]);
  });

  it('while active: reports unavailable, with no warning to cancel, for as long as it lasts', async () => {
    const browser = new FakeBrowser();
    browser.hasChannel = false;
    const tab = browser.open(alice);
    const watch = tab.startWatch(options);
    await browser.clock.advance(MINUTE);
    browser.storageWritable = false;
    await browser.clock.advance(2 * TIMEOUT);
    expect(watch.state).toBe('unavailable');
    expect([tab.events('warning'), tab.events('warningCancelled')]).toEqual([[], []]);
  });
});

describe('activity no other tab could hear', () => {
  it('without BroadcastChannel: a tab holds the decision lock until it could store its activity, so no other tab decides without it', async () => {
    const browser = new FakeBrowser();
    browser.hasChannel = false;
    const idle = browser.open(alice);
    const working = browser.open(alice);
    idle.startWatch(options);
    working.startWatch(options);
    await browser.clock.advance(TIMEOUT - 5000);
    browser.storageWritable = false;
    working.activity(); // stored nowhere, told to no one
    browser.storageWritable = true;
    // The idle tab reaches the timeout before the working tab's next look at storage: it waits for the lock there.
    await browser.clock.advance(5000);
    expect(idle.ends).toEqual([]);
    await browser.clock.advance(10_000);
    expect([idle.ends, working.ends]).toEqual([[], []]);
    expect(idle.watch?.remainingMs()).toBeGreaterThan(TIMEOUT - 20_000);
  });
});

describe('at the timeout', () => {
  it('removes the user only if the store still holds the user who timed out (a store shared with a newer sign-in)', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    tab.startWatch(options);
    await flush();
    tab.holds = bob; // another tab signed bob in into a store shared with this one, which raises no event here
    await browser.clock.advance(TIMEOUT);
    expect(tab.ends).toEqual([true]);
    expect(tab.removals).toBe(0);
  });
});

describe('two users', () => {
  it("Alice's unattended tab times out while Bob works in another tab; Bob is not signed out", async () => {
    const browser = new FakeBrowser();
    const alices = browser.open(alice);
    const bobs = browser.open(bob);
    alices.startWatch(options);
    bobs.startWatch(options);
    await workIn(bobs, TIMEOUT / MINUTE + 1);
    expect(alices.ends).toEqual([true]);
    expect(alices.removals).toBe(1);
    expect(bobs.ends).toEqual([]);
    expect(bobs.removals).toBe(0);
    expect(bobs.watch?.state).toBe('active');
  });

  it('keeps one deadline per user, named like leadership (issuer, client_id, sub)', async () => {
    const browser = new FakeBrowser();
    browser.open(alice).startWatch(options);
    browser.open(bob).startWatch(options);
    await flush();
    expect([...browser.store.keys()].sort()).toEqual([appKey('idle', ISSUER, CLIENT_ID, 'alice'), appKey('idle', ISSUER, CLIENT_ID, 'bob')].sort());
  });
});

describe('clock changes', () => {
  it('setting the clock back 2 hours delays neither the warning nor the sign-out', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    tab.startWatch(options);
    await browser.clock.advance(MINUTE);
    browser.clock.jump(-2 * 60 * MINUTE);
    await browser.clock.advance(TIMEOUT - WARNING - MINUTE);
    expect(tab.watch?.state).toBe('warning');
    await browser.clock.advance(WARNING);
    expect(tab.ends).toEqual([true]);
  });

  it('setting the clock forward 2 hours signs nobody out early', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    tab.startWatch(options);
    await browser.clock.advance(MINUTE);
    browser.clock.jump(2 * 60 * MINUTE);
    await browser.clock.advance(TIMEOUT - WARNING - MINUTE - 1);
    expect(tab.watch?.state).toBe('active');
    await browser.clock.advance(1);
    expect(tab.watch?.state).toBe('warning');
    expect(tab.ends).toEqual([]);
    await browser.clock.advance(WARNING);
    expect(tab.ends).toEqual([true]);
  });

  it.each([
    ['back', -2 * 60 * MINUTE],
    ['forward', 2 * 60 * MINUTE],
  ])('after the clock was set %s, a tab opened later joins with the right time left', async (_direction, jump) => {
    const browser = new FakeBrowser();
    const one = browser.open(alice);
    one.startWatch(options);
    await browser.clock.advance(3 * MINUTE);
    browser.clock.jump(jump);
    await browser.clock.advance(MINUTE);
    const two = browser.open(alice);
    two.startWatch(options);
    await flush();
    expect(two.watch?.remainingMs()).toBe(TIMEOUT - 4 * MINUTE);
    expect(one.watch?.remainingMs()).toBe(TIMEOUT - 4 * MINUTE);
  });

  it('without BroadcastChannel, a tab that joined just after the clock was set forward takes the corrected time from the record', async () => {
    const browser = new FakeBrowser();
    browser.hasChannel = false;
    const one = browser.open(alice);
    one.startWatch(options);
    await browser.clock.advance(3 * MINUTE);
    browser.clock.jump(5 * MINUTE);
    const two = browser.open(alice);
    two.startWatch(options);
    await flush();
    expect(two.watch?.remainingMs()).toBe(TIMEOUT - 8 * MINUTE); // read before tab 1 looked at the clock again
    await browser.clock.advance(10_000); // tab 1's next look: it rewrites the record's time, same activity
    expect(two.watch?.remainingMs()).toBe(one.watch?.remainingMs());
    await browser.clock.advance(TIMEOUT - 3 * MINUTE - 10_000 - 1);
    expect([one.ends, two.ends]).toEqual([[], []]);
  });

  it('after the clock was set, the record is rewritten once, not at each later look', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    tab.startWatch(options);
    await browser.clock.advance(MINUTE);
    const key = appKey('idle', ISSUER, CLIENT_ID, 'alice');
    const writes: Array<string | null> = [];
    const write = browser.write.bind(browser);
    browser.write = (from, written, value) => (written === key && writes.push(value), write(from, written, value));
    browser.clock.jump(-2 * 60 * MINUTE);
    await browser.clock.advance(3 * MINUTE);
    expect(writes).toHaveLength(1);
  });

  it('a tab that joined from a record the clock jump made look older waits one check before deciding: the correction comes first', async () => {
    const browser = new FakeBrowser();
    browser.hasChannel = false;
    const one = browser.open(alice);
    one.startWatch(options);
    await browser.clock.advance(3 * MINUTE);
    browser.clock.jump(TIMEOUT - 3 * MINUTE - 5000);
    const two = browser.open(alice);
    two.startWatch(options);
    await flush();
    expect(two.watch?.remainingMs()).toBe(5000); // as the record reads before tab 1 looked at the clock again
    await browser.clock.advance(10_000);
    expect([one.ends, two.ends]).toEqual([[], []]);
    expect(two.watch?.remainingMs()).toBe(one.watch?.remainingMs());
  });

  it.each([
    ['back', -2 * 60 * MINUTE],
    ['forward', 2 * 60 * MINUTE],
  ])('without BroadcastChannel, the shared record is corrected within one check after the clock was set %s', async (_direction, jump) => {
    const browser = new FakeBrowser();
    browser.hasChannel = false;
    const one = browser.open(alice);
    one.startWatch(options);
    await browser.clock.advance(3 * MINUTE);
    browser.clock.jump(jump);
    await browser.clock.advance(MINUTE);
    const two = browser.open(alice);
    two.startWatch(options);
    await flush();
    expect(two.watch?.remainingMs()).toBe(TIMEOUT - 4 * MINUTE);
  });
});

describe('what is not activity', () => {
  it('a tab opened while storage is blocked asks the others where the period stands: its opening moves nobody\'s timeout', async () => {
    const browser = new FakeBrowser();
    browser.storageReadable = false;
    const one = browser.open(alice);
    one.startWatch(options);
    await browser.clock.advance(5 * MINUTE);
    const two = browser.open(alice);
    two.startWatch(options);
    await flush();
    expect([one.watch?.remainingMs(), two.watch?.remainingMs()]).toEqual([TIMEOUT - 5 * MINUTE, TIMEOUT - 5 * MINUTE]);
  });
});

describe("the period's session", () => {
  it('a tab of another OP session of the user shares the running period without renaming it: a tab of the first session opened later joins it', async () => {
    const browser = new FakeBrowser();
    browser.open(alice).startWatch(options);
    browser.open(user('alice', 'alice-session-2')).startWatch(options);
    await browser.clock.advance(3 * MINUTE);
    const third = browser.open(alice);
    third.startWatch(options);
    await flush();
    expect(third.watch?.remainingMs()).toBe(TIMEOUT - 3 * MINUTE);
  });

  it('after a timeout, the next period is named by the session that began it: a later tab of that session joins it', async () => {
    const browser = new FakeBrowser();
    browser.open(alice).startWatch(options);
    await browser.clock.advance(TIMEOUT);
    browser.open(user('alice', 'alice-session-2')).startWatch(options);
    await browser.clock.advance(3 * MINUTE);
    const third = browser.open(user('alice', 'alice-session-2'));
    third.startWatch(options);
    await flush();
    expect(third.watch?.remainingMs()).toBe(TIMEOUT - 3 * MINUTE);
  });
});

describe('messages from other tabs', () => {
  it('activity told to be in the future counts as activity now, never as more time than the timeout', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    tab.startWatch(options);
    await browser.clock.advance(MINUTE);
    const other = browser.channel(browser.open(null), appKey('idle', ISSUER, CLIENT_ID, 'alice'))!;
    other.post({ t: 'activity', ago: -5 * MINUTE });
    await flush();
    expect(tab.watch?.remainingMs()).toBe(TIMEOUT);
  });

  it('a tab started without storage takes an answer of activity in the future as activity now', async () => {
    const browser = new FakeBrowser();
    browser.storageReadable = false;
    const tab = browser.open(alice);
    tab.startWatch(options);
    await flush();
    const other = browser.channel(browser.open(null), appKey('idle', ISSUER, CLIENT_ID, 'alice'))!;
    other.post({ t: 'activity', ago: -5 * MINUTE });
    await flush();
    expect(tab.watch?.remainingMs()).toBe(TIMEOUT);
  });
});

describe('a sign-in here', () => {
  it("starts a new period for all of the user's tabs, even where a period of the same OP session is running", async () => {
    const browser = new FakeBrowser();
    const one = browser.open(alice);
    one.startWatch(options);
    await browser.clock.advance(5 * MINUTE);
    const two = browser.open(null);
    two.startWatch(options);
    await flush();
    two.signIn(alice); // e.g. a popup sign-in into the same OP session
    await flush();
    expect([one.watch?.remainingMs(), two.watch?.remainingMs()]).toEqual([TIMEOUT, TIMEOUT]);
  });
});

describe('a new sign-in starts a new period', () => {
  it("Bob signing in after Alice was signed out does not inherit Alice's deadline", async () => {
    const browser = new FakeBrowser();
    const before = browser.open(alice);
    before.startWatch(options);
    await browser.clock.advance(TIMEOUT - WARNING - 5000);
    await before.signOut(); // e.g. the OP ended her session: the monitor removed her
    before.close(); // the sign-in redirect leaves the page
    const after = browser.open(bob);
    after.startWatch(options);
    await browser.clock.advance(TIMEOUT - WARNING - 1);
    expect(after.events('warning')).toEqual([]);
    expect(after.watch?.remainingMs()).toBe(WARNING + 1);
  });

  it('Alice signing in again into a new OP session starts a new period, even if no sign-out cleared the old one', async () => {
    const browser = new FakeBrowser();
    const before = browser.open(alice);
    before.startWatch(options);
    await browser.clock.advance(TIMEOUT - WARNING - 5000);
    before.close();
    const after = browser.open(user('alice', 'alice-session-2'));
    after.startWatch(options);
    await flush();
    expect(after.watch?.remainingMs()).toBe(TIMEOUT);
  });

  it('a sign-out clears the shared record', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    tab.startWatch(options);
    await flush();
    expect(browser.store.has(appKey('idle', ISSUER, CLIENT_ID, 'alice'))).toBe(true);
    await tab.signOut();
    await flush();
    expect(browser.store.has(appKey('idle', ISSUER, CLIENT_ID, 'alice'))).toBe(false);
    expect(tab.watch?.state).toBe('inactive');
    await browser.clock.advance(2 * TIMEOUT);
    expect(tab.ends).toEqual([]);
  });

  it('a sign-in in a running tab (another user, without a reload) starts a new period for that user', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    const watch = tab.startWatch(options);
    await browser.clock.advance(TIMEOUT - 2 * WARNING);
    tab.signIn(bob);
    await flush();
    expect(watch.state).toBe('active');
    expect(watch.remainingMs()).toBe(TIMEOUT);
    await browser.clock.advance(TIMEOUT - WARNING - 1);
    expect(tab.events('warning')).toEqual([]);
  });

  it("a user switch in a running tab ends the old user's period (its record goes) with no change of state to tell", async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    tab.startWatch(options);
    await browser.clock.advance(MINUTE);
    tab.signIn(bob);
    await flush();
    expect([...browser.store.keys()]).toEqual([appKey('idle', ISSUER, CLIENT_ID, 'bob')]);
    expect(tab.events('state')).toEqual([{ state: 'active', previous: 'inactive' }]);
  });

  it('the same user and session loaded again (a silent renewal) keeps the period; a new session of that user starts a new one', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    const watch = tab.startWatch(options);
    await browser.clock.advance(3 * MINUTE);
    tab.signIn(user('alice'));
    await flush();
    expect(watch.remainingMs()).toBe(TIMEOUT - 3 * MINUTE);
    tab.signIn(user('alice', 'alice-session-2'));
    await flush();
    expect(watch.remainingMs()).toBe(TIMEOUT);
  });

  it('a sign-out heard before the store was first read wins over that stale read: nobody is watched', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    const watch = tab.startWatch(options); // reads the store (Alice), answered a turn later
    await tab.signOut(); // heard at once
    await flush();
    expect(watch.state).toBe('inactive');
    await browser.clock.advance(2 * TIMEOUT);
    expect(tab.ends).toEqual([]);
  });

  it('a user with no sub in the store is nobody to time out', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open({ id_token: 'x', profile: {} } as never);
    const watch = tab.startWatch(options);
    await browser.clock.advance(2 * TIMEOUT);
    expect(watch.state).toBe('inactive');
    expect(tab.ends).toEqual([]);
  });

  it('a tab that starts with nobody signed in times nobody out, and starts when someone signs in', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(null);
    const watch = tab.startWatch(options);
    await browser.clock.advance(2 * TIMEOUT);
    expect(watch.state).toBe('inactive');
    expect(tab.removals).toBe(0);
    tab.signIn(alice);
    await flush();
    expect(watch.state).toBe('active');
    await browser.clock.advance(TIMEOUT);
    expect(tab.ends).toEqual([true]);
  });
});
