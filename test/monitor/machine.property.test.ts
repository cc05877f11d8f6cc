// @vitest-environment node
import fc from 'fast-check';
import { ErrorCode, OidcSessionMonitorError } from '../../src/errors.js';
import { describe, expect, it } from 'vitest';
import { fullTransition, initialState, steadyEffects, steadyPoll, transition, type CookieEvidence, type MachineState, type MonitorConfig, type MonitorEffect, type MonitorInput, type TimerSlot } from '../../src/monitor/machine.js';
import type { CheckSessionStatus, SignedOutError } from '../../src/monitor/types.js';
import type { TabMessage } from '../../src/tabs/messages.js';
import { propertyRuns, reachedAtLeast } from '../support/property-runs.js';

// Property-based tests of the monitor's transition function: random input sequences, drawn so that most inputs
// answer what the machine is actually waiting for (the current token, frame or re-check id) and some are stale,
// are run through `transition`, and every step is checked against the SDK's promises. Seeded, so a failure
// reproduces; fast-check shrinks it to a short sequence.

const RUNS = propertyRuns(10_000);
const SEED = 20261125;
const SIGNED_OUT_ERRORS: SignedOutError[] = ['login_required', 'interaction_required', 'consent_required', 'account_selection_required'];
const USERS = ['alice', 'bob'] as const;

type RecheckChoice = 'same' | 'other' | 'anonymous-error' | SignedOutError | 'garbage';
const recheckChoice = fc.constantFrom<RecheckChoice>('same', 'same', 'other', 'anonymous-error', 'garbage', ...SIGNED_OUT_ERRORS);

/** An abstract step; it becomes a concrete input once the state it is applied to is known. */
type Command =
  /** Answers whatever the machine waits for first, with these choices: how runs get deep. */
  | { kind: 'progress'; status: CheckSessionStatus; result: RecheckChoice; user: 'alice' | 'bob' | 'nobody' | 'no-state'; state: string; cookies: CookieEvidence; crossSite: boolean }
  | { kind: 'start'; coordinated: boolean; visible: boolean }
  | { kind: 'sessionRead'; stale: boolean; user: 'alice' | 'bob' | 'nobody' | 'no-state'; state: string; cookies: CookieEvidence; last?: string }
  | { kind: 'sessionReadFailed'; stale: boolean }
  | { kind: 'frameUrl'; stale: boolean; url: string | undefined; crossSite: boolean }
  | { kind: 'frameUrlFailed'; stale: boolean; invalid: boolean }
  | { kind: 'frameLoaded'; stale: boolean }
  | { kind: 'reply'; stale: boolean; status: CheckSessionStatus }
  | { kind: 'timer'; stale: boolean; timer: TimerSlot }
  | { kind: 'recheckResult'; stale: boolean; result: RecheckChoice; state: string }
  | { kind: 'recheckFailed'; stale: boolean }
  | { kind: 'visibility'; visible: boolean }
  | { kind: 'wake' }
  | { kind: 'leading'; leading: boolean }
  | { kind: 'tab'; type: 'signedOut' | 'userChanged' | 'refreshed' | 'unavailable' | 'monitoring'; own: boolean; state: string }
  | { kind: 'signOut'; reason: 'front-channel' | 'other-tab' | 'logout' }
  /** This tab's token renewal failed (the OP is asked with prompt=none, by any tab, hidden or not). */
  | { kind: 'renewalFailed'; crossSite: boolean }
  | { kind: 'suspend' }
  | { kind: 'resume' }
  | { kind: 'signedOutLocally' }
  | { kind: 'stop' };

/** True in about `percent` % of draws: most inputs answer what the machine waits for, some are stale. */
const staleIn = (percent: number) => fc.integer({ min: 0, max: 99 }).map((n) => n < percent);
const stale = staleIn(50);
const sessionState = fc.constantFrom('s1', 's2', 's3', 'anon.1');
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 44,
    arbitrary: fc.record({
      kind: fc.constant('progress' as const),
      status: fc.constantFrom<CheckSessionStatus>('unchanged', 'unchanged', 'changed', 'changed', 'error'),
      result: recheckChoice,
      user: fc.constantFrom('alice' as const, 'alice' as const, 'bob' as const, 'nobody' as const, 'no-state' as const),
      state: fc.constantFrom('s1', 's2', 's3', 'anon.1'),
      cookies: fc.constantFrom<CookieEvidence>('unknown', 'unknown', 'visible', 'blocked'),
      crossSite: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('start' as const), coordinated: fc.boolean(), visible: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        kind: fc.constant('sessionRead' as const),
        stale: staleIn(20),
        user: fc.constantFrom('alice' as const, 'bob' as const, 'nobody' as const, 'no-state' as const),
        state: sessionState,
        cookies: fc.constantFrom<CookieEvidence>('unknown', 'visible', 'blocked'),
        last: sessionState,
      },
      { requiredKeys: ['kind', 'stale', 'user', 'state', 'cookies'] },
    ),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sessionReadFailed' as const), stale }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('frameUrl' as const),
      stale: staleIn(20),
      url: fc.option(fc.constant('https://op.example/check'), { nil: undefined, freq: 8 }),
      crossSite: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('frameUrlFailed' as const), stale, invalid: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('frameLoaded' as const), stale: staleIn(20) }) },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('reply' as const),
      stale: staleIn(10),
      status: fc.constantFrom<CheckSessionStatus>('unchanged', 'changed', 'changed', 'error'),
    }),
  },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('timer' as const), stale: staleIn(20), timer: fc.constantFrom<TimerSlot>('main', 'main', 'tick', 'tick', 'recheck', 'keepAlive') }) },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('recheckResult' as const),
      stale: staleIn(30),
      result: recheckChoice,
      state: sessionState,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('recheckFailed' as const), stale }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('visibility' as const), visible: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'wake' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('leading' as const), leading: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('tab' as const),
      type: fc.constantFrom('signedOut' as const, 'userChanged' as const, 'refreshed' as const, 'unavailable' as const, 'monitoring' as const),
      own: fc.boolean(),
      state: sessionState,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('signOut' as const), reason: fc.constantFrom('front-channel' as const, 'other-tab' as const, 'logout' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('renewalFailed' as const), crossSite: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'suspend' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'resume' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'signedOutLocally' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'stop' as const }) },
);

const config = fc.record<MonitorConfig>({
  interval: fc.constantFrom(1000, 3000),
  replyTimeout: fc.constant(500),
  frameTimeout: fc.constant(2000),
  recheckTimeout: fc.constant(3000),
  maxRetryDelay: fc.constant(8000),
  onErrorStatus: fc.constantFrom('backoff' as const, 'stop' as const, 'signOut' as const),
  maxRechecks: fc.integer({ min: 1, max: 4 }),
  recheckWindow: fc.constantFrom(10_000, 60_000),
  keepAlive: fc.constantFrom(0, 0, 10_000),
  anonymous: fc.boolean(),
  mode: fc.constantFrom('auto' as const, 'auto' as const, 'iframe' as const, 'recheck' as const),
  recheckInterval: fc.constantFrom(10_000, 60_000),
  minRecheckInterval: fc.constantFrom(1000, 5000),
});

/** A run: a configuration, then `start`, then commands, each after some time has passed. */
const scenario = fc.record({
  config,
  start: fc.record({ coordinated: fc.boolean(), visible: fc.boolean() }),
  steps: fc.array(fc.tuple(command, fc.integer({ min: 0, max: 5000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })), { maxLength: 80, size: 'max' }),
});

/** Runs whose tabs coordinate (one poller per user), so that some tabs follow another tab's poller. */
const coordinatedScenario = scenario.map((sc) => ({ ...sc, start: { ...sc.start, coordinated: true } }));

function recheckResult(choice: RecheckChoice, own: string, state: string): unknown {
  if (choice === 'same') return { kind: 'authenticated', sub: own, session_state: state };
  if (choice === 'other') return { kind: 'authenticated', sub: own === 'alice' ? 'bob' : 'alice', session_state: state };
  if (choice === 'anonymous-error') return { kind: 'signedOut', error: 'login_required', session_state: state };
  if (choice === 'garbage') return { kind: 'authenticated', sub: '' };
  return { kind: 'signedOut', error: choice };
}

function progress(c: Extract<Command, { kind: 'progress' }>, s: MachineState): MonitorInput {
  const own = s.core.session?.sub || 'alice';
  if (s.core.reading) {
    const session = c.user === 'nobody' ? null : { sub: c.user === 'no-state' ? 'alice' : c.user, session_state: c.user === 'no-state' ? '' : c.state };
    return { type: 'sessionRead', token: s.core.reading, session, cookies: c.cookies };
  }
  if (s.core.coordinated && !s.core.leading && s.core.session) return { type: 'leading', leading: true };
  if (s.core.resolving) return { type: 'frameUrlResolved', token: s.core.resolving, url: 'https://op.example/check', crossSite: c.crossSite };
  if (s.core.frame && !s.core.frameReady) return { type: 'frameLoaded', frame: s.core.frame };
  if (s.poll.pollInFlight) return { type: 'reply', frame: s.core.frame, status: c.status };
  if (s.core.recheck) return { type: 'recheckSettled', id: s.core.recheck.id, result: recheckResult(c.result, own, c.state) };
  if (!s.core.visible) return { type: 'visibility', visible: true };
  const slot = (['main', 'tick', 'keepAlive', 'recheck'] as const).find((t) => s.core.timers[t] !== undefined);
  if (slot) return { type: 'timer', timer: slot, token: s.core.timers[slot]! };
  if (s.core.phase === 'signedOut') return { type: 'signedOutLocally' };
  if (s.core.phase === 'paused') return { type: 'resume' };
  return { type: 'wake' };
}

function toInput(c: Command, s: MachineState): MonitorInput {
  const stalish = (current: number, isStale: boolean) => (isStale || current === 0 ? current + 1000 : current);
  const own = s.core.session?.sub || 'alice';
  switch (c.kind) {
    case 'progress':
      return progress(c, s);
    case 'start':
      return { type: 'start', coordinated: c.coordinated, visible: c.visible };
    case 'sessionRead':
      return {
        type: 'sessionRead',
        token: stalish(s.core.reading, c.stale),
        session: c.user === 'nobody' ? null : { sub: c.user === 'no-state' ? 'alice' : c.user, session_state: c.user === 'no-state' ? '' : c.state, id_token: 'x.y.z' },
        cookies: c.cookies,
        ...(c.last ? { lastSessionState: c.last } : {}),
      };
    case 'sessionReadFailed':
      return { type: 'sessionReadFailed', token: stalish(s.core.reading, c.stale), detail: 'x' };
    case 'frameUrl':
      return { type: 'frameUrlResolved', token: stalish(s.core.resolving, c.stale), url: c.url, crossSite: c.crossSite };
    case 'frameUrlFailed':
      return { type: 'frameUrlFailed', token: stalish(s.core.resolving, c.stale), reason: c.invalid ? 'invalid-metadata' : 'discovery-failed', detail: 'x' };
    case 'frameLoaded':
      return { type: 'frameLoaded', frame: stalish(s.core.frame, c.stale) };
    case 'reply':
      return { type: 'reply', frame: stalish(s.core.frame, c.stale), status: c.status };
    case 'timer':
      return { type: 'timer', timer: c.timer, token: stalish(s.core.timers[c.timer] ?? 0, c.stale) };
    case 'recheckResult':
      return { type: 'recheckSettled', id: stalish(s.core.recheck?.id ?? 0, c.stale), result: recheckResult(c.result, own, c.state) };
    case 'recheckFailed':
      return { type: 'recheckFailed', id: stalish(s.core.recheck?.id ?? 0, c.stale), error: new Error('network') };
    case 'visibility':
      return { type: 'visibility', visible: c.visible };
    case 'wake':
      return { type: 'wake' };
    case 'leading':
      return { type: 'leading', leading: c.leading };
    case 'tab': {
      const sub = c.own ? own : own === 'alice' ? 'bob' : 'alice';
      const message: TabMessage =
        c.type === 'signedOut'
          ? { type: 'signedOut', reason: 'login_required', sub }
          : c.type === 'userChanged'
            ? { type: 'userChanged', previousSub: sub, sub: sub === 'alice' ? 'bob' : 'alice' }
            : c.type === 'refreshed'
              ? { type: 'refreshed', sub, session_state: c.state, previous_session_state: 's0' }
              : c.type === 'unavailable'
                ? { type: 'unavailable', sub, reason: 'no-reply', detail: 'x', retrying: true }
                : { type: 'monitoring', sub };
      return { type: 'tab', message };
    }
    case 'signOut':
      return { type: 'signOut', reason: c.reason };
    case 'renewalFailed':
      return { type: 'renewalFailed', error: new OidcSessionMonitorError(ErrorCode.RecheckFailed, 'renewal failed'), crossSite: c.crossSite };
    default:
      return { type: c.kind };
  }
}

interface Step {
  before: MachineState;
  input: MonitorInput;
  after: MachineState;
  effects: MonitorEffect[];
  now: number;
}

interface Scenario {
  config: MonitorConfig;
  start: { coordinated: boolean; visible: boolean };
  steps: Array<[Command, number, number]>;
}

function run(sc: Scenario): Step[] {
  let state = initialState('client', sc.config);
  let now = 1_000_000;
  const trace: Step[] = [];
  const apply = (input: MonitorInput, random: number) => {
    const { state: after, effects } = transition(state, input, { now, random });
    trace.push({ before: state, input, after, effects, now });
    state = after;
  };
  apply({ type: 'start', ...sc.start }, 0.5);
  for (const [c, dt, random] of sc.steps) {
    now += dt;
    apply(toInput(c, state), random);
  }
  return trace;
}

const params = { numRuns: RUNS, seed: SEED };
const signOuts = (effects: MonitorEffect[]) => effects.filter((e): e is Extract<MonitorEffect, { type: 'signOut' }> => e.type === 'signOut');

describe('monitor state machine: properties over random input sequences', () => {
  it('I1: a user is signed out only by an explicit sign-out error or another sub for this tab\'s user, the signOut error policy, or the SDK\'s own sign-out signals — and always by those the OP gives, never silently', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        for (const { before, input, after, effects } of run(sc)) {
          for (const out of signOuts(effects)) {
            const ownSub = before.core.session?.sub;
            // The other tabs hear of a sign-out once, from the tab that saw it first: never again from a tab that
            // followed another tab, a front-channel request or logout() (those tell the other tabs themselves).
            const told = effects.filter((e) => e.type === 'broadcast' && (e.message.type === 'signedOut' || e.message.type === 'userChanged'));
            expect(told).toHaveLength(out.sub === undefined || ['other-tab', 'front-channel', 'logout'].includes(out.reason) ? 0 : 1);
            switch (input.type) {
              case 'recheckSettled': {
                const result = input.result as { kind: string; sub?: string; error?: string };
                expect(before.core.anonymous).toBe(false);
                expect(ownSub).toBeTruthy();
                if (result.kind === 'signedOut') {
                  expect(out.reason).toBe(result.error);
                  expect(SIGNED_OUT_ERRORS).toContain(result.error);
                } else {
                  expect(result.sub).not.toBe(ownSub);
                  expect(out.userChangedTo).toBe(result.sub);
                }
                expect(out.sub).toBe(ownSub);
                break;
              }
              case 'reply':
                expect(input.status).toBe('error');
                expect(before.core.config.onErrorStatus).toBe('signOut');
                expect(out.reason).toBe('error-status');
                break;
              case 'tab': {
                const m = input.message;
                expect(m.type === 'signedOut' ? m.sub : m.type === 'userChanged' ? m.previousSub : undefined).toBe(ownSub);
                expect(before.core.anonymous).toBe(false);
                // A front-channel logout relayed by another tab stays one; anything else another tab saw is `other-tab`.
                expect(out.reason).toBe(m.type === 'signedOut' && m.reason === 'front-channel' ? 'front-channel' : 'other-tab');
                break;
              }
              case 'signOut':
                expect(out.reason).toBe(input.reason);
                break;
              case 'sessionRead':
                // A logout that did not leave the page, and the user is gone from the store.
                expect(before.core.phase).toBe('paused');
                expect(input.session).toBeNull();
                expect(out.reason).toBe('logout');
                break;
              default:
                throw new Error(`signed out on ${input.type}`);
            }
          }
          // … and signed out whenever the OP says so: a valid answer to this tab's re-check about the user it holds
          // (whether it signed in before the monitor started or while it watched anonymously) signs that user out —
          // unless, across sites, the iframe never showed that it sees the OP's cookies (I6).
          const held = before.core.session?.sub;
          if (input.type === 'recheckSettled' && input.id === before.core.recheck?.id && held) {
            const result = input.result as { kind: string; sub?: string; session_state?: string; error?: string };
            const unproven = before.core.crossSite && before.core.cookies !== 'visible';
            if (result.kind === 'signedOut' && SIGNED_OUT_ERRORS.includes(result.error as SignedOutError) && !unproven) {
              expect(signOuts(effects)).toEqual([expect.objectContaining({ reason: result.error, sub: held })]);
            } else if (result.kind === 'authenticated' && result.sub && result.sub !== held && result.session_state) {
              expect(signOuts(effects)).toEqual([expect.objectContaining({ reason: 'login_required', sub: held, userChangedTo: result.sub })]);
            }
          }
          // Nor is the user dropped silently: without a sign-out the tab keeps its user (and ID token) until it reads the
          // store again; only its own re-check brings a new ID token.
          if (held && signOuts(effects).length === 0 && input.type !== 'resume' && input.type !== 'sessionRead') {
            // (Checked without `expect` on the hot path: this runs on most steps of every sequence.)
            if (after.core.session?.sub !== held) expect(after.core.session?.sub, `${input.type} dropped the user`).toBe(held);
            const brought = input.type === 'recheckSettled' ? (input.result as { id_token?: unknown } | null)?.id_token : undefined;
            if (!brought && after.core.session?.id_token !== before.core.session?.id_token) expect(after.core.session?.id_token, `${input.type} dropped the ID token`).toBe(before.core.session?.id_token);
          }
        }
      }),
      params,
    );
  });

  it('I2: never a prompt=none re-check on an `error` answer', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        for (const { input, effects } of run(sc)) {
          if (input.type === 'reply' && input.status === 'error') expect(effects.some((e) => e.type === 'recheck')).toBe(false);
        }
      }),
      params,
    );
  });

  it('I3: at most maxRechecks re-checks (keep-alive aside) within any recheckWindow', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        const times: number[] = [];
        for (const { after, effects, now } of run(sc)) {
          // Watching by re-check, the minimum gap is the guard (I9).
          if (effects.some((e) => e.type === 'recheck') && after.core.recheck && !after.core.recheck.keepAlive && !after.core.byRecheck) times.push(now);
        }
        for (let i = 0; i < times.length; i++) {
          const inWindow = times.filter((t) => t >= times[i]! && t - times[i]! < sc.config.recheckWindow);
          expect(inWindow.length).toBeLessThanOrEqual(sc.config.maxRechecks);
        }
      }),
      params,
    );
  });

  it('I4: after stop(), no effect at all, and stop leaves no frame, timer or re-check', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        let stopped = false;
        for (const { input, after, effects } of run(sc)) {
          if (stopped) expect(effects).toEqual([]);
          if (input.type === 'stop') {
            stopped = true;
            expect(after.core.phase).toBe('stopped');
            expect(after.core.timers).toEqual({});
            expect(after.core.frame).toBe(0);
            expect(after.core.recheck).toBeUndefined();
          }
        }
      }),
      params,
    );
  });

  it('I5: a stale re-check result (timed out, aborted, from an earlier leadership) changes nothing', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        for (const { before, input, after, effects } of run(sc)) {
          if ((input.type === 'recheckSettled' || input.type === 'recheckFailed') && input.id !== before.core.recheck?.id) {
            expect(effects).toEqual([]);
            expect(after).toEqual(before);
          }
        }
      }),
      params,
    );
  });

  it('I6: across sites, no sign-out from an OP answer unless the iframe showed it can read the OP cookies for this session', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        for (const { before, input, after, effects } of run(sc)) {
          for (const out of signOuts(effects)) {
            if (input.type === 'recheckSettled' && (input.result as { kind: string }).kind === 'signedOut' && before.core.crossSite) {
              expect(before.core.cookies).toBe('visible');
            }
            expect(out).toBeDefined();
          }
          // Evidence only ever comes from an `unchanged` answer of the frame loaded now, and never outlives that frame;
          // watching by re-check (no frame), from the OP authenticating this tab's user in a prompt=none.
          if (after.core.cookies === 'visible' && before.core.cookies !== 'visible') {
            if (before.core.byRecheck) {
              expect(input.type).toBe('recheckSettled');
              expect((input as { result: { kind: string; sub: string } }).result).toMatchObject({ kind: 'authenticated', sub: before.core.session?.sub });
            } else {
              expect(input.type === 'reply' && input.status === 'unchanged').toBe(true);
            }
          }
          if (after.core.frame !== before.core.frame && after.core.frame !== 0) expect(after.core.cookies).not.toBe('visible');
        }
      }),
      params,
    );
  });

  it('I7: the steady-polling shortcut decides exactly what the full transition decides, wherever it answers', () => {
    const taken = { post: 0, reply: 0 };
    fc.assert(
      fc.property(scenario, (sc) => {
        for (const { before, input, now } of run(sc)) {
          const quick = steadyPoll(before, input, now);
          if (!quick) continue;
          expect({ state: quick, effects: steadyEffects(before, input, now) }).toStrictEqual(fullTransition(before, input, { now, random: 0.5 }));
          if (input.type === 'reply') taken.reply++;
          else taken.post++;
        }
      }),
      params,
    );
    // The comparison ran often enough to mean something: steady polls and their answers both came up.
    expect(taken.post).toBeGreaterThan(reachedAtLeast(1000));
    expect(taken.reply).toBeGreaterThan(reachedAtLeast(1000));
  });

  it('I8: a hidden page starts nothing new and keeps only the deadlines of what is in flight; its next step waits until it is shown', () => {
    let parked = 0;
    let shownAndRun = 0;
    fc.assert(
      fc.property(scenario, (sc) => {
        for (const { before, input, after, effects } of run(sc)) {
          if (after.core.phase === 'stopped') continue;
          if (!after.core.visible) {
            expect(after.core.timers.keepAlive).toBeUndefined();
            if (after.core.timers.main !== undefined) expect(['deadline', 'frameTimeout']).toContain(after.core.mainAction);
            // The tick stays only as the deadline of a poll still out.
            if (after.core.timers.tick !== undefined) expect(after.poll.pollInFlight).toBe(true);
            expect(effects.filter((e) => e.type === 'post' || (e.type === 'recheck' && e.context && after.core.recheck?.keepAlive))).toEqual([]);
            if (after.core.mainAction !== undefined && after.core.timers.main === undefined) parked++;
          } else if (after.core.mainAction !== undefined) {
            // A next step without a timer exists only while hidden: showing the page runs it.
            expect(after.core.timers.main).toBeDefined();
          }
          // (Watching by re-check after blocked cookies, nothing is left to run: checks end until the next sign-in, I9.)
          const ended = before.core.byRecheck && before.core.cookies === 'blocked';
          if (input.type === 'visibility' && input.visible && !before.core.visible && before.core.mainAction !== undefined && before.core.timers.main === undefined && before.core.leading && !ended) {
            expect(effects.length).toBeGreaterThan(0);
            shownAndRun++;
          }
        }
      }),
      params,
    );
    // Hidden pages with a waiting next step came up, and so did showing them again.
    expect(parked).toBeGreaterThan(reachedAtLeast(100));
    expect(shownAndRun).toBeGreaterThan(reachedAtLeast(10));
  });

  it('I9: watching by re-check: no iframe, no prompt=none while hidden or after blocked cookies, and at most one per minRecheckInterval however often the page is shown or focused (the re-check of a failed renewal is never held back, I11, but the gap counts from it too)', () => {
    const seen = { checks: 0, wakesWithinGap: 0, signedOutByOp: 0, blocked: 0, refreshed: 0, loopGuard: 0, afterRenewal: 0 };
    fc.assert(
      fc.property(scenario, (sc) => {
        let lastCheck: number | undefined;
        for (const { before, input, after, effects, now } of run(sc)) {
          if (!after.core.byRecheck) continue;
          if (sc.config.mode === 'iframe') throw new Error('watching by re-check in iframe mode');
          expect(effects.filter((e) => e.type === 'createFrame' || e.type === 'post')).toEqual([]);
          const started = effects.some((e) => e.type === 'recheck');
          if (started && input.type === 'renewalFailed') {
            // A failed token renewal is asked about at once, hidden or not, whatever the gap: dead tokens must not look
            // like a live sign-in. Renewals pace these re-checks, not the page's focus; the next check keeps the gap from it.
            seen.afterRenewal++;
            lastCheck = now;
          } else if (started) {
            seen.checks++;
            expect(after.core.visible).toBe(true);
            expect(before.core.cookies === 'blocked' && after.core.cookies === 'blocked').toBe(false);
            if (lastCheck !== undefined) expect(now - lastCheck).toBeGreaterThanOrEqual(sc.config.minRecheckInterval);
            lastCheck = now;
          } else if ((input.type === 'wake' || input.type === 'visibility') && lastCheck !== undefined && now - lastCheck < sc.config.minRecheckInterval) {
            seen.wakesWithinGap++;
          }
          // A hidden page keeps no timer but the deadline of a re-check in flight.
          if (!after.core.visible) expect(Object.keys(after.core.timers).filter((t) => t !== 'recheck')).toEqual([]);
          for (const e of effects) {
            if (e.type === 'signOut' && input.type === 'recheckSettled') seen.signedOutByOp++;
            if (e.type === 'emit' && e.event === 'unavailable' && e.payload.reason === 'third-party-cookies-blocked') {
              seen.blocked++;
              expect(e.payload.retrying).toBe(false);
            }
            if (e.type === 'emit' && e.event === 'unavailable' && e.payload.reason === 'loop-guard') seen.loopGuard++;
            if (e.type === 'emit' && e.event === 'refreshed') seen.refreshed++;
          }
        }
      }),
      params,
    );
    // The mode came up, with bursts of focus inside the minimum gap, OP sign-outs, blocked cookies and refreshes.
    for (const [name, count] of Object.entries(seen)) if (name !== 'loopGuard') expect(count, name).toBeGreaterThan(reachedAtLeast(50));
    expect(seen.loopGuard).toBe(0);
  });

  it('I10: a tab that follows another tab\'s poller mirrors what it says about the tab\'s own user: the same payloads, its own user kept; the poller mirrors nothing', () => {
    const seen = { refreshed: 0, unavailable: 0 };
    fc.assert(
      fc.property(coordinatedScenario, (sc) => {
        for (const { before, input, after, effects } of run(sc)) {
          if (input.type !== 'tab') continue;
          const m = input.message;
          const own = before.core.session;
          if (!own || before.core.anonymous || ['signedOut', 'paused', 'stopped'].includes(before.core.phase) || !('sub' in m) || m.sub !== own.sub) continue;
          const mirrored = effects.filter((e) => e.type === 'emit' && (e.event === 'refreshed' || e.event === 'unavailable')).map((e) => (e as { payload: unknown }).payload);
          if (before.core.leading) {
            if (m.type === 'refreshed' || m.type === 'unavailable' || m.type === 'monitoring') expect(effects).toEqual([]);
          } else if (m.type === 'refreshed') {
            seen.refreshed++;
            expect(mirrored).toEqual([{ sub: m.sub, session_state: m.session_state, previous_session_state: m.previous_session_state }]);
            expect(after.core.session).toEqual({ ...own, session_state: m.session_state });
            expect(after.core.phase).toBe('monitoring');
          } else if (m.type === 'unavailable') {
            seen.unavailable++;
            if (before.core.phase !== 'unavailable' || before.core.unavailableReason !== m.reason) expect(mirrored).toEqual([{ reason: m.reason, detail: m.detail, retrying: m.retrying }]);
            else expect(mirrored).toEqual([]);
            expect(after.core.phase).toBe('unavailable');
          }
        }
      }),
      { ...params, numRuns: 2000 },
    );
    // Followers rarely live long in these runs (the generator mostly elects them at once), yet both messages came up.
    for (const [name, count] of Object.entries(seen)) expect(count, name).toBeGreaterThan(5);
  });

  it('I11: a failed token renewal of a tab holding a user is reported and always asked about (a re-check runs, or the loop guard holds it back); otherwise it does nothing', () => {
    const seen = { asked: 0, alreadyRunning: 0, guarded: 0, ignored: 0 };
    fc.assert(
      fc.property(scenario, (sc) => {
        for (const { before, input, after, effects } of run(sc)) {
          if (input.type !== 'renewalFailed') continue;
          const c = before.core;
          if (!c.session || c.anonymous || ['paused', 'signedOut', 'stopped'].includes(c.phase)) {
            seen.ignored++;
            expect(effects).toEqual([]);
            expect(after).toEqual(before);
            continue;
          }
          expect(effects[0]).toEqual({ type: 'emit', event: 'error', payload: { error: input.error } });
          // Asked by this tab whether it polls or not: the user is never dropped here, only by the answer (I1).
          expect(after.core.session?.sub).toBe(c.session.sub);
          expect(signOuts(effects)).toEqual([]);
          if (c.recheck) {
            seen.alreadyRunning++;
            expect(after.core.recheck).toEqual(c.recheck);
          } else if (after.core.recheck) {
            seen.asked++;
            expect(effects.filter((e) => e.type === 'recheck')).toEqual([expect.objectContaining({ id: after.core.recheck.id, context: expect.objectContaining({ sub: c.session.sub }) })]);
            expect(after.core.phase).toBe('rechecking');
          } else {
            seen.guarded++;
            expect(after.core.byRecheck).toBe(false);
            expect(after.core.unavailableReason).toBe('loop-guard');
          }
        }
      }),
      params,
    );
    for (const [name, count] of Object.entries(seen)) expect(count, name).toBeGreaterThan(reachedAtLeast(20));
  });

  it('reaches the interesting states (the generator is not trivial)', () => {
    const seen = { signedOutByOp: 0, userChanged: 0, blocked: 0, refreshed: 0, loopGuard: 0, crossSiteSignOut: 0 };
    fc.assert(
      fc.property(scenario, (sc) => {
        for (const { before, input, effects } of run(sc)) {
          for (const out of signOuts(effects)) {
            if (input.type === 'recheckSettled' && out.userChangedTo) seen.userChanged++;
            else if (input.type === 'recheckSettled') {
              seen.signedOutByOp++;
              if (before.core.crossSite) seen.crossSiteSignOut++;
            }
          }
          for (const e of effects) {
            if (e.type === 'emit' && e.event === 'unavailable' && e.payload.reason === 'third-party-cookies-blocked') seen.blocked++;
            if (e.type === 'emit' && e.event === 'unavailable' && e.payload.reason === 'loop-guard') seen.loopGuard++;
            if (e.type === 'emit' && e.event === 'refreshed') seen.refreshed++;
          }
        }
      }),
      { ...params, numRuns: 2000 },
    );
    for (const [name, count] of Object.entries(seen)) expect(count, name).toBeGreaterThan(20);
  });

  it('never throws, every timer effect matches the state\'s timer tokens, and whatever is in flight has a deadline', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        for (const { after, effects } of run(sc)) {
          for (const e of effects) if (e.type === 'setTimer') expect(after.core.timers[e.timer]).toBe(e.token);
          for (const e of effects) if (e.type === 'clearTimer') expect(effects.some((x) => x.type === 'setTimer' && x.timer === e.timer) || after.core.timers[e.timer] === undefined).toBe(true);
          if (after.core.phase === 'signedOut' || after.core.phase === 'paused') expect(after.core.frame).toBe(0);
          // Liveness: an OP frame that is loading always has a deadline (or a re-check runs), so a frame that never
          // loads is reported as frame-timeout instead of leaving the monitor waiting for ever.
          const c = after.core;
          if (c.leading && c.frame !== 0 && !c.frameReady && !c.recheck && c.phase !== 'stopped') expect(c.timers.main, 'a loading frame has a deadline').toBeDefined();
          // … and so has a poll out (the tick, or its own deadline), and a re-check (its timer), hidden or not.
          if (after.poll.pollInFlight) expect(c.timers.tick !== undefined || (c.mainAction === 'deadline' && c.timers.main !== undefined), 'a poll out has a deadline').toBe(true);
          if (c.recheck) expect(c.timers.recheck, 'a re-check has a deadline').toBeDefined();
        }
      }),
      { ...params, numRuns: 2000 },
    );
  });
});

describe('a clock set back', () => {
  it('the tick still polls, and still times a lost answer out, when the clock jumped backwards', () => {
    const config: MonitorConfig = { interval: 1000, replyTimeout: 5000, frameTimeout: 2000, recheckTimeout: 3000, maxRetryDelay: 8000, onErrorStatus: 'backoff', maxRechecks: 3, recheckWindow: 60_000, keepAlive: 0, anonymous: false, mode: 'auto', recheckInterval: 60_000, minRecheckInterval: 10_000 };
    let s = initialState('client', config);
    const at = (now: number) => ({ now, random: 0.5 });
    s = transition(s, { type: 'start', coordinated: false, visible: true }, at(1_000_000)).state;
    s = transition(s, { type: 'sessionRead', token: s.core.reading, session: { sub: 'a', session_state: 's' } }, at(1_000_000)).state;
    s = transition(s, { type: 'frameUrlResolved', token: s.core.resolving, url: 'https://op/x', crossSite: false }, at(1_000_000)).state;
    s = transition(s, { type: 'frameLoaded', frame: s.core.frame }, at(1_000_000)).state;
    s = transition(s, { type: 'reply', frame: s.core.frame, status: 'unchanged' }, at(1_000_000)).state;
    // An hour back: the next tick must poll, not wait an hour.
    let step = transition(s, { type: 'timer', timer: 'tick', token: s.core.timers.tick! }, at(1_000_000 - 3_600_000));
    expect(step.effects.some((e) => e.type === 'post')).toBe(true);
    s = step.state;
    // And a poll still out when the clock jumps back again is timed out rather than waited for.
    step = transition(s, { type: 'timer', timer: 'tick', token: s.core.timers.tick! }, at(1_000_000 - 7_200_000));
    expect(step.effects).toContainEqual(expect.objectContaining({ type: 'emit', event: 'unavailable' }));
  });
});

describe.each(USERS)('a tab holding %s', (user) => {
  it('ignores every message about another user', () => {
    const other = user === 'alice' ? 'bob' : 'alice';
    let state = initialState('client', { interval: 1000, replyTimeout: 500, frameTimeout: 2000, recheckTimeout: 3000, maxRetryDelay: 8000, onErrorStatus: 'backoff', maxRechecks: 3, recheckWindow: 60_000, keepAlive: 0, anonymous: false, mode: 'auto', recheckInterval: 60_000, minRecheckInterval: 10_000 });
    const env = { now: 0, random: 0.5 };
    state = transition(state, { type: 'start', coordinated: true, visible: true }, env).state;
    state = transition(state, { type: 'sessionRead', token: state.core.reading, session: { sub: user, session_state: 's' } }, env).state;
    const messages: TabMessage[] = [
      { type: 'signedOut', reason: 'login_required', sub: other },
      { type: 'userChanged', previousSub: other, sub: user },
      { type: 'refreshed', sub: other, session_state: 's9', previous_session_state: 's8' },
      { type: 'unavailable', sub: other, reason: 'no-reply', detail: 'x', retrying: true },
      { type: 'monitoring', sub: other },
    ];
    for (const message of messages) {
      const next = transition(state, { type: 'tab', message }, env);
      expect(next.effects).toEqual([]);
      expect(next.state).toEqual(state);
    }
  });
});
