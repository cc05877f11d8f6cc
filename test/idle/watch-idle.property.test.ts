import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyRuns } from '../support/property-runs.js';
import { FakeBrowser, type FakeTab, flush, user } from './fake-tabs.js';

// Property-based test of the idle timeout across tabs: random sequences of activity, storage failures, clock
// jumps, sign-ins, sign-outs, tabs opened and closed, for two users, run through watchIdle in fake tabs
// (test/idle/fake-tabs.ts). Every sign-out is checked against the two promises of README "watchIdle":
//
// - safety: nobody is signed out for idleness who had activity (or signed in) in any of their tabs within `timeout`;
// - one decision: of a user's tabs, one alone decides each timeout (`decidedHere`, the tab that goes on to RP-initiated
//   logout) — a second deciding tab needs a new period, begun by a tab opened or a sign-in since;
// - liveness: an idle user is signed out within `timeout` plus one check period of their last activity, sign-in,
//   tab opened or storage recovery — unless neither storage nor BroadcastChannel works, which every tab of the
//   user then reports (`unavailable`) within one check period.
//
// Seeded, so a failure reproduces; fast-check shrinks it to a short sequence.

const RUNS = propertyRuns(400);
const SEED = 20261206;
const TIMEOUT = 10 * 60_000;
const WARNING = 60_000;
/** The watch's longest sleep (CHECK_MS in src/idle/watch-idle.ts). */
const CHECK = 10_000;
const SUBS = ['alice', 'bob'] as const;
type Sub = (typeof SUBS)[number];

type Command =
  | { kind: 'open'; sub: Sub; session: 1 | 2 }
  | { kind: 'close'; tab: number }
  | { kind: 'activity'; tab: number }
  | { kind: 'extend'; tab: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'jump'; ms: number }
  | { kind: 'storage'; writable: boolean; readable: boolean }
  | { kind: 'signOut'; tab: number }
  | { kind: 'signIn'; tab: number; sub: Sub; session: 1 | 2 };

const tab = fc.nat(7);
const sub = fc.constantFrom<Sub>(...SUBS);
const session = fc.constantFrom<1 | 2>(1, 2);
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('open' as const), sub, session }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), tab }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('activity' as const), tab }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('extend' as const), tab }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(1, 500, 5000, CHECK, 60_000, 3 * 60_000, TIMEOUT - WARNING, TIMEOUT, 2 * TIMEOUT) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('jump' as const), ms: fc.constantFrom(-7_200_000, -300_000, -5000, 5000, 300_000, 7_200_000) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('storage' as const), writable: fc.boolean(), readable: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('signOut' as const), tab }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('signIn' as const), tab, sub, session }) },
);

const options = { timeout: TIMEOUT, warning: WARNING };
const live = (t: FakeTab) => t.watch !== undefined && ['active', 'warning', 'unavailable'].includes(t.watch.state);

async function run(hasChannel: boolean, commands: Command[]): Promise<void> {
  const browser = new FakeBrowser();
  browser.hasChannel = hasChannel;
  const tabs: FakeTab[] = [];
  const now = () => browser.clock.monotonic();
  // The oracle: per user, the latest activity or sign-in (safety), and the latest moment from which an idle user
  // must be signed out within TIMEOUT + CHECK (liveness).
  const lastActive = new Map<Sub, number>();
  const idleFrom = new Map<Sub, number>();
  const touch = (who: Sub, map: Map<Sub, number>) => map.set(who, now());
  // Per user, the periods begun (a tab opened, a sign-in), and the period whose timeout a tab decided last.
  const periods = new Map<Sub, number>();
  const decided = new Map<Sub, number>();
  const begin = (who: Sub) => periods.set(who, (periods.get(who) ?? 0) + 1);
  let outage = false;
  let outageSince = 0;
  let recovered = -Infinity;
  const sharing = () => browser.storageWritable && browser.storageReadable;

  // Checked where a sign-out happens, reported after the step (an exception in an event handler would not reach
  // fast-check).
  const violations: string[] = [];
  const watch = (t: FakeTab) => {
    t.startWatch(options).on('timeout', ({ decidedHere }) => {
      // The event comes before the sign-out: the tab still holds the user it signs out.
      const who = subOf(t)!;
      if (decidedHere) {
        if (decided.get(who) === periods.get(who)) violations.push(`one decision: a second tab of ${who} decided the same timeout`);
        decided.set(who, periods.get(who)!);
      }
      const idle = now() - (lastActive.get(who) ?? -Infinity);
      if (idle < TIMEOUT) violations.push(`safety: ${who} signed out ${idle} ms after activity`);
      const late = now() - ((idleFrom.get(who) ?? 0) + TIMEOUT + CHECK);
      if (!outage && late > 0) violations.push(`liveness: ${who} signed out ${late} ms late`);
    });
  };
  const holder = (index: number) => (tabs.length === 0 ? undefined : tabs[index % tabs.length]);
  const subOf = (t: FakeTab) => t.holds?.profile.sub as Sub | undefined;

  for (const c of commands) {
    // What README "watchIdle" leaves out: without BroadcastChannel, activity of a tab that closes, signs out or signs in
    // while storage cannot be written, or within one check after it can again (before the tab told the others), is
    // lost with it.
    const blind = !hasChannel && (outage || now() - recovered < CHECK);
    switch (c.kind) {
      case 'open': {
        if (tabs.length >= 4) break;
        const t = browser.open(user(c.sub, `${c.sub}-session-${c.session}`));
        tabs.push(t);
        touch(c.sub, idleFrom);
        begin(c.sub);
        watch(t);
        break;
      }
      case 'close': {
        const t = holder(c.tab);
        if (!t || blind) break;
        t.close();
        tabs.splice(tabs.indexOf(t), 1);
        break;
      }
      case 'activity':
      case 'extend': {
        const t = holder(c.tab);
        const who = t && subOf(t);
        if (!t || !who || !live(t)) break;
        if (c.kind === 'activity') t.activity();
        else t.watch!.extend();
        touch(who, lastActive);
        touch(who, idleFrom);
        break;
      }
      case 'advance':
        await browser.clock.advance(c.ms);
        break;
      case 'jump':
        browser.clock.jump(c.ms);
        break;
      case 'storage': {
        browser.storageWritable = c.writable;
        browser.storageReadable = c.readable;
        const was = outage;
        outage = !hasChannel && !sharing();
        if (was && !outage) {
          recovered = now();
          for (const who of SUBS) touch(who, idleFrom);
        }
        if (!was && outage) outageSince = now();
        break;
      }
      case 'signOut': {
        const t = holder(c.tab);
        if (!t || blind) break;
        await t.signOut();
        break;
      }
      case 'signIn': {
        const t = holder(c.tab);
        if (!t || blind) break;
        const before = t.holds;
        begin(c.sub);
        t.signIn(user(c.sub, `${c.sub}-session-${c.session}`));
        if (t.watch?.state === 'timedOut' || t.watch?.state === 'stopped') {
          // A tab whose watch ended starts a new one, as apps do: it reads the user like a reloaded page.
          watch(t);
          touch(c.sub, idleFrom);
        } else if (before?.profile.sub !== c.sub || before.profile.sid !== `${c.sub}-session-${c.session}`) {
          // A sign-in (another user or session than the tab held) is activity of the user who signed in; the same
          // user and session again is a renewal.
          touch(c.sub, lastActive);
          touch(c.sub, idleFrom);
        }
        break;
      }
    }
    await flush();

    // Liveness: no tab still holds an idle user past the bound, unless the tabs cannot share — then they say so.
    for (const t of tabs) {
      const who = subOf(t);
      if (!who || !live(t)) continue;
      if (outage) {
        if (now() - outageSince >= CHECK && t.watch!.state !== 'unavailable') violations.push(`report: ${who}'s tab is ${t.watch!.state} in an outage`);
        continue;
      }
      const late = now() - ((idleFrom.get(who) ?? 0) + TIMEOUT + CHECK);
      if (late > 0) violations.push(`liveness: ${who} still signed in ${late} ms past timeout + check`);
    }
    expect(violations).toEqual([]);
  }
}

describe('idle timeout across tabs and users (property)', () => {
  it.each([
    ['with BroadcastChannel', true],
    ['without BroadcastChannel', false],
  ])('%s: never signs out a user active within timeout; signs out an idle one within timeout + one check', async (_what, hasChannel) => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 10, maxLength: 60, size: 'large' }), (commands) => run(hasChannel, commands)),
      { numRuns: RUNS, seed: SEED },
    );
  }, 120_000);
});
