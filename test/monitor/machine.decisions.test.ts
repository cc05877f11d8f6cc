// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { ErrorCode, OidcSessionMonitorError } from '../../src/errors.js';
import { fullTransition, initialState, steadyPoll, transition, type CookieEvidence, type CoreState, type MachineState, type MonitorConfig, type MonitorEffect, type MonitorInput, type TimerSlot } from '../../src/monitor/machine.js';
import type { MonitorEvents, SessionInfo } from '../../src/monitor/types.js';
import type { TabMessage } from '../../src/tabs/messages.js';

// Examples that pin the decisions of the monitor's transition function one by one, each through what a user of the
// SDK observes: the events emitted, the effects asked of the interpreter (stores, broadcasts, frames, timers) and the
// monitor's state. The properties (machine.property.test.ts) say what must always hold; these say what each decision
// does. Grouped by the function of src/monitor/machine.ts that decides.

const CONFIG: MonitorConfig = {
  interval: 1000,
  replyTimeout: 500,
  frameTimeout: 2000,
  recheckTimeout: 3000,
  maxRetryDelay: 8000,
  onErrorStatus: 'backoff',
  maxRechecks: 10,
  recheckWindow: 60_000,
  keepAlive: 0,
  anonymous: false,
  mode: 'auto',
  recheckInterval: 60_000,
  minRecheckInterval: 10_000,
};
const URL = 'https://op.example/check';
const ALICE: SessionInfo = { sub: 'alice', session_state: 's1', id_token: 'id-1' };

/** One monitor driven by hand; every input answers what it waits for unless told otherwise. */
class Monitor {
  state: MachineState;
  now = 1_000_000;
  random = 0.5;
  effects: MonitorEffect[] = [];

  constructor(config: Partial<MonitorConfig> = {}) {
    this.state = initialState('client', { ...CONFIG, ...config });
  }

  get core() {
    return this.state.core;
  }

  send(input: MonitorInput): MonitorEffect[] {
    const { state, effects } = transition(this.state, input, { now: this.now, random: this.random });
    this.state = state;
    this.effects = effects;
    return effects;
  }

  advance(ms: number): this {
    this.now += ms;
    return this;
  }

  start(coordinated = false, visible = true) {
    return this.send({ type: 'start', coordinated, visible });
  }
  read(session: SessionInfo | null, extra: { cookies?: CookieEvidence; lastSessionState?: string } = {}) {
    return this.send({ type: 'sessionRead', token: this.core.reading, session, ...extra });
  }
  /** `null`: the OP publishes no check_session_iframe. */
  resolve(url: string | null = URL, crossSite = false) {
    return this.send({ type: 'frameUrlResolved', token: this.core.resolving, url: url ?? undefined, crossSite });
  }
  loaded(frame = this.core.frame) {
    return this.send({ type: 'frameLoaded', frame });
  }
  reply(status: 'unchanged' | 'changed' | 'error', frame = this.core.frame) {
    return this.send({ type: 'reply', frame, status });
  }
  settle(result: unknown) {
    return this.send({ type: 'recheckSettled', id: this.core.recheck!.id, result });
  }
  refreshedTo(session_state: string, id_token?: string) {
    return this.settle({ kind: 'authenticated', sub: this.core.session!.sub, session_state, ...(id_token ? { id_token } : {}) });
  }
  fire(timer: TimerSlot) {
    const token = this.core.timers[timer];
    if (token === undefined) throw new Error(`no ${timer} timer`);
    return this.send({ type: 'timer', timer, token });
  }
  tab(message: TabMessage) {
    return this.send({ type: 'tab', message });
  }
  /** The lookup of the OP iframe's URL in flight failed (discovery down, or metadata refused). */
  frameUrlFailed(reason: 'discovery-failed' | 'invalid-metadata', detail = 'offline') {
    return this.send({ type: 'frameUrlFailed', token: this.core.resolving, reason, detail });
  }
  /** This tab's token renewal failed (`crossSite`: the OP is another site, as the caller judges it). */
  renewalFailed(crossSite = false) {
    return this.send({ type: 'renewalFailed', error: new OidcSessionMonitorError(ErrorCode.RecheckFailed, 'renewal'), crossSite });
  }
}

const emitted = <E extends keyof MonitorEvents>(effects: MonitorEffect[], event: E): MonitorEvents[E][] =>
  effects.flatMap((e) => (e.type === 'emit' && e.event === event ? [e.payload as MonitorEvents[E]] : []));
const ofType = <T extends MonitorEffect['type']>(effects: MonitorEffect[], type: T): Extract<MonitorEffect, { type: T }>[] =>
  effects.filter((e): e is Extract<MonitorEffect, { type: T }> => e.type === type);
const posts = (effects: MonitorEffect[]) => ofType(effects, 'post').map((e) => e.message);
const broadcasts = (effects: MonitorEffect[]) => ofType(effects, 'broadcast').map((e) => e.message);
const states = (effects: MonitorEffect[]) => emitted(effects, 'state').map((e) => e.state);

interface Setup {
  config?: Partial<MonitorConfig>;
  session?: SessionInfo;
  crossSite?: boolean;
  cookies?: CookieEvidence;
  coordinated?: boolean;
}

/** A tab that leads, with its frame loaded and its first poll out. */
function polling({ config, session = ALICE, crossSite = false, cookies, coordinated = false }: Setup = {}): Monitor {
  const m = new Monitor(config);
  m.start(coordinated);
  m.read(session, cookies ? { cookies } : {});
  if (coordinated) m.send({ type: 'leading', leading: true });
  m.resolve(URL, crossSite);
  m.loaded();
  expect(m.state.poll.pollInFlight).toBe(true);
  return m;
}

/** A tab that leads and monitors: its first poll was answered `unchanged`. */
function monitoring(setup: Setup = {}): Monitor {
  const m = polling(setup);
  m.reply('unchanged');
  expect(m.core.phase).toBe('monitoring');
  return m;
}

/** A coordinated tab that follows another tab's poller for `session`. */
function follower(session: SessionInfo = ALICE, config: Partial<MonitorConfig> = {}): Monitor {
  const m = new Monitor(config);
  m.start(true);
  m.read(session);
  return m;
}

/** An anonymous monitor of an OP with an iframe, its first poll (of `anon.1`) out. */
function anonymousPolling(config: Partial<MonitorConfig> = {}, coordinated = false): Monitor {
  const m = new Monitor({ anonymous: true, ...config });
  m.start(coordinated);
  m.read(null, { lastSessionState: 'anon.1' });
  if (coordinated) m.send({ type: 'leading', leading: true });
  m.resolve();
  expect(posts(m.loaded())).toEqual(['client anon.1']);
  return m;
}

describe('the state event', () => {
  it('says the new phase and the one before it, once per change', () => {
    expect(emitted(polling().reply('unchanged'), 'state')).toEqual([{ state: 'monitoring', previous: 'starting' }]);
    const m = polling();
    expect(emitted(m.reply('changed'), 'state')).toEqual([{ state: 'rechecking', previous: 'starting' }]);
    expect(emitted(m.refreshedTo('s2'), 'state')).toEqual([{ state: 'monitoring', previous: 'rechecking' }]);
  });
});

describe('onReply', () => {
  it('ignores a reply from a frame that was replaced, even while the new frame has a poll out', () => {
    const m = polling();
    const old = m.core.frame;
    m.fire('main'); // the reply deadline: the frame is replaced
    m.fire('main'); // the retry loads a new frame
    m.loaded();
    expect(m.core.frame).not.toBe(old);
    expect(m.state.poll.pollInFlight).toBe(true);
    const before = m.state;
    expect(m.reply('changed', old)).toEqual([]);
    expect(m.state).toEqual(before);
  });

  it('counts one reply per poll: a second answer to the same poll is ignored', () => {
    const m = monitoring();
    const before = m.state;
    expect(m.reply('changed')).toEqual([]);
    expect(m.state).toEqual(before);
  });

  it('same-site OP: a re-checked session_state answered `changed` at once is re-checked again, never reported as blocked cookies', () => {
    const m = polling();
    m.reply('changed');
    m.refreshedTo('s2');
    m.fire('main');
    expect(ofType(m.reply('changed'), 'recheck')).toHaveLength(1);
    m.refreshedTo('s3');
    m.fire('main');
    const effects = m.reply('changed');
    expect(ofType(effects, 'recheck')).toHaveLength(1);
    expect(emitted(effects, 'unavailable')).toEqual([]);
    expect(ofType(effects, 'rememberCookies')).toEqual([]);
  });

  it('cross-site: the second re-checked session_state in a row answered `changed` at once means blocked cookies', () => {
    const m = polling({ crossSite: true });
    // The sign-in's own session_state answered `changed` is no strike: it did not come from a re-check.
    expect(ofType(m.reply('changed'), 'recheck')).toHaveLength(1);
    m.refreshedTo('s2');
    m.fire('main');
    expect(ofType(m.reply('changed'), 'recheck')).toHaveLength(1);
    m.refreshedTo('s3');
    m.fire('main');
    const effects = m.reply('changed');
    expect(ofType(effects, 'recheck')).toEqual([]);
    expect(ofType(effects, 'rememberCookies')).toEqual([{ type: 'rememberCookies', session_state: 's3', evidence: 'blocked' }]);
    expect(emitted(effects, 'unavailable')).toEqual([expect.objectContaining({ reason: 'third-party-cookies-blocked', retrying: true })]);
  });

  it('cross-site: a `changed` answer for a remembered block starts no re-check and reports blocked cookies', () => {
    const m = polling({ crossSite: true, cookies: 'blocked' });
    const effects = m.reply('changed');
    expect(ofType(effects, 'recheck')).toEqual([]);
    expect(emitted(effects, 'unavailable')).toEqual([expect.objectContaining({ reason: 'third-party-cookies-blocked' })]);
  });

  it('same-site: a block remembered for the session_state does not stop the re-check on `changed`', () => {
    const m = polling({ cookies: 'blocked' });
    expect(ofType(m.reply('changed'), 'recheck')).toHaveLength(1);
  });

  it('cross-site: the first `unchanged` saves the proof that the iframe sees the cookies, for the session_state polled', () => {
    const m = polling({ crossSite: true, cookies: 'blocked' });
    expect(ofType(m.reply('unchanged'), 'rememberCookies')).toEqual([{ type: 'rememberCookies', session_state: 's1', evidence: 'visible' }]);
    // Proven already: a later `unchanged` (here while hidden, which the steady shortcut does not take) saves nothing.
    m.advance(1000).fire('tick');
    m.send({ type: 'visibility', visible: false });
    expect(ofType(m.reply('unchanged'), 'rememberCookies')).toEqual([]);
  });

  it('same-site: an `unchanged` saves no cookie evidence (there is nothing to prove)', () => {
    const m = polling();
    expect(ofType(m.reply('unchanged'), 'rememberCookies')).toEqual([]);
  });

  it('the first `unchanged` ends the reply deadline and starts the tick every interval', () => {
    const m = polling();
    const deadline = m.core.timers.main!;
    const effects = m.reply('unchanged');
    expect(effects).toContainEqual({ type: 'clearTimer', timer: 'main', token: deadline });
    expect(ofType(effects, 'setTimer')).toEqual([{ type: 'setTimer', timer: 'tick', token: m.core.timers.tick, ms: 1000, repeat: true }]);
    expect(emitted(effects, 'status')).toEqual([{ status: 'unchanged', at: m.now }]);
  });

  it('an `unchanged` answered to a hidden page starts no tick', () => {
    const m = polling();
    m.send({ type: 'visibility', visible: false });
    const effects = m.reply('unchanged');
    expect(ofType(effects, 'setTimer')).toEqual([]);
    expect(m.core.timers.tick).toBeUndefined();
  });

  it('an `unchanged` after an outage tells the other tabs that monitoring is back; a steady one tells them nothing', () => {
    const m = polling();
    m.reply('error');
    m.fire('main');
    const effects = m.reply('unchanged');
    expect(broadcasts(effects)).toEqual([{ type: 'monitoring', sub: 'alice' }]);
    expect(states(effects)).toEqual(['monitoring']);
    // Monitoring already (here hidden, so that the steady shortcut does not answer): nothing to tell.
    m.advance(1000).fire('tick');
    m.send({ type: 'visibility', visible: false });
    expect(broadcasts(m.reply('unchanged'))).toEqual([]);
  });

  it('`error` with the backoff policy: unavailable and retrying, at a pace that doubles with each `error` in a row', () => {
    const m = polling();
    let effects = m.reply('error');
    expect(ofType(effects, 'recheck')).toEqual([]);
    expect(emitted(effects, 'unavailable')).toEqual([expect.objectContaining({ reason: 'error-status', retrying: true, retryInMs: 2000 })]);
    expect(ofType(effects, 'setTimer')).toEqual([expect.objectContaining({ timer: 'main', ms: 2000 })]);
    m.fire('main');
    effects = m.reply('error');
    expect(ofType(effects, 'setTimer')).toEqual([expect.objectContaining({ timer: 'main', ms: 4000 })]);
  });

  it('a `changed` answer ends a streak of `error`s: the next `error` backs off from the start again', () => {
    const m = polling();
    m.reply('error');
    m.fire('main');
    m.reply('error');
    m.fire('main');
    m.reply('changed');
    m.refreshedTo('s2');
    m.fire('main');
    expect(ofType(m.reply('error'), 'setTimer')).toEqual([expect.objectContaining({ timer: 'main', ms: 2000 })]);
  });

  it('an `unchanged` answer ends a streak of `error`s and of failures', () => {
    const m = polling();
    m.reply('error');
    m.fire('main');
    m.reply('error');
    m.fire('main');
    m.reply('unchanged');
    m.advance(1000).fire('tick');
    expect(ofType(m.reply('error'), 'setTimer')).toEqual([expect.objectContaining({ timer: 'main', ms: 2000 })]);
  });

  it('`error` with the stop policy: unavailable for good, the frame removed, nothing scheduled', () => {
    const m = polling({ config: { onErrorStatus: 'stop' } });
    const frame = m.core.frame;
    const effects = m.reply('error');
    expect(emitted(effects, 'unavailable')).toEqual([{ reason: 'error-status', detail: expect.any(String), retrying: false }]);
    expect(effects).toContainEqual({ type: 'disposeFrame', frame });
    expect(ofType(effects, 'setTimer')).toEqual([]);
    expect(m.core.timers).toEqual({});
  });

  it('`error` with the signOut policy signs the user out with reason error-status, and tells the other tabs', () => {
    const m = polling({ config: { onErrorStatus: 'signOut' } });
    const effects = m.reply('error');
    expect(ofType(effects, 'signOut')).toEqual([{ type: 'signOut', reason: 'error-status', sub: 'alice' }]);
    expect(broadcasts(effects)).toEqual([{ type: 'signedOut', reason: 'error-status', sub: 'alice' }]);
  });

  it('`error` with the signOut policy does not sign out an anonymous monitor: it backs off', () => {
    const m = anonymousPolling({ onErrorStatus: 'signOut' });
    const effects = m.reply('error');
    expect(ofType(effects, 'signOut')).toEqual([]);
    expect(emitted(effects, 'unavailable')).toEqual([expect.objectContaining({ reason: 'error-status', retrying: true })]);
  });
});

describe('onRecheckResult', () => {
  it('an anonymous monitor that saw a sign-in stores its tokens, reports signedIn, and later reports that user\'s sign-out', () => {
    const m = anonymousPolling();
    m.reply('changed');
    const result = { kind: 'authenticated', sub: 'alice', session_state: 's1', id_token: 'id-1' };
    let effects = m.settle(result);
    expect(ofType(effects, 'accept')).toEqual([{ type: 'accept', result, sub: '' }]);
    expect(emitted(effects, 'signedIn')).toEqual([{ sub: 'alice', session_state: 's1' }]);
    expect(ofType(effects, 'watch')).toEqual([{ type: 'watch', sub: 'alice' }]);
    expect(m.core.anonymous).toBe(false);
    expect(posts(m.fire('main'))).toEqual(['client s1']);
    m.reply('changed');
    effects = m.settle({ kind: 'signedOut', error: 'login_required' });
    expect(ofType(effects, 'signOut')).toEqual([{ type: 'signOut', reason: 'login_required', sub: 'alice' }]);
    expect(broadcasts(effects)).toEqual([{ type: 'signedOut', reason: 'login_required', sub: 'alice' }]);
  });

  it('cross-site: a sign-in seen anonymously is a re-checked session_state; `changed` at once for it and for the next one means blocked cookies (the anonymous state\'s own `changed` is no strike)', () => {
    const m = new Monitor({ anonymous: true });
    m.start();
    m.read(null, { lastSessionState: 'anon.1' });
    m.resolve(URL, true);
    m.loaded();
    expect(ofType(m.reply('changed'), 'recheck')).toHaveLength(1);
    m.settle({ kind: 'authenticated', sub: 'alice', session_state: 's1' });
    m.fire('main');
    expect(ofType(m.reply('changed'), 'recheck')).toHaveLength(1);
    m.refreshedTo('s2');
    m.fire('main');
    const effects = m.reply('changed');
    expect(ofType(effects, 'recheck')).toEqual([]);
    expect(emitted(effects, 'unavailable')).toEqual([expect.objectContaining({ reason: 'third-party-cookies-blocked' })]);
  });

  it('cross-site: a session_state a follower took from its poller\'s refresh counts as re-checked once it leads', () => {
    const m = new Monitor();
    m.start(true);
    m.read(ALICE);
    m.tab({ type: 'refreshed', sub: 'alice', session_state: 's2', previous_session_state: 's1' });
    m.send({ type: 'leading', leading: true });
    m.resolve(URL, true);
    m.loaded();
    expect(ofType(m.reply('changed'), 'recheck')).toHaveLength(1);
    m.refreshedTo('s3');
    m.fire('main');
    expect(emitted(m.reply('changed'), 'unavailable')).toEqual([expect.objectContaining({ reason: 'third-party-cookies-blocked' })]);
  });

  it('a tab that sees a sign-in for another user than the one it watched says so to the other tabs', () => {
    const m = polling();
    m.reply('changed');
    const effects = m.settle({ kind: 'authenticated', sub: 'bob', session_state: 's2' });
    expect(ofType(effects, 'signOut')).toEqual([{ type: 'signOut', reason: 'login_required', sub: 'alice', userChangedTo: 'bob' }]);
    expect(broadcasts(effects)).toEqual([{ type: 'userChanged', previousSub: 'alice', sub: 'bob' }]);
    expect(ofType(effects, 'accept')).toEqual([]);
  });

  it('the same user re-authenticated: the new session_state is stored, reported, told to the other tabs and polled next', () => {
    const m = polling();
    m.reply('changed');
    const result = { kind: 'authenticated', sub: 'alice', session_state: 's2' };
    const effects = m.settle(result);
    expect(ofType(effects, 'accept')).toEqual([{ type: 'accept', result, sub: 'alice' }]);
    expect(emitted(effects, 'refreshed')).toEqual([{ sub: 'alice', session_state: 's2', previous_session_state: 's1' }]);
    expect(broadcasts(effects)).toEqual([
      { type: 'monitoring', sub: 'alice' },
      { type: 'refreshed', sub: 'alice', session_state: 's2', previous_session_state: 's1' },
    ]);
    expect(states(effects)).toEqual(['monitoring']);
    expect(ofType(effects, 'setTimer')).toEqual([expect.objectContaining({ timer: 'main', ms: 1000 })]);
    expect(posts(m.fire('main'))).toEqual(['client s2']);
  });

  it('the re-check asks with the sign-in\'s ID token, and after a refresh with the ID token it brought (or the one kept)', () => {
    const m = polling();
    expect(ofType(m.reply('changed'), 'recheck')[0]!.context).toEqual({ session_state: 's1', sub: 'alice', id_token: 'id-1' });
    m.refreshedTo('s2');
    m.fire('main');
    expect(ofType(m.reply('changed'), 'recheck')[0]!.context).toEqual({ session_state: 's2', sub: 'alice', id_token: 'id-1' });
    m.refreshedTo('s3', 'id-3');
    m.fire('main');
    expect(ofType(m.reply('changed'), 'recheck')[0]!.context).toEqual({ session_state: 's3', sub: 'alice', id_token: 'id-3' });
  });

  it('a sign-in without an ID token re-checks without one', () => {
    const m = polling({ session: { sub: 'alice', session_state: 's1' } });
    expect(ofType(m.reply('changed'), 'recheck')[0]!.context).toStrictEqual({ session_state: 's1', sub: 'alice' });
  });
});

describe('signOut', () => {
  it.each(['other-tab', 'front-channel', 'logout'] as const)('a sign-out with reason %s is not told to the other tabs again', (reason) => {
    const m = monitoring();
    const frame = m.core.frame;
    const effects = m.send({ type: 'signOut', reason });
    expect(broadcasts(effects)).toEqual([]);
    expect(ofType(effects, 'signOut')).toEqual([{ type: 'signOut', reason, sub: 'alice' }]);
    // The iframe goes after the app has heard.
    expect(effects.at(-1)).toEqual({ type: 'disposeFrame', frame });
    expect(m.core.phase).toBe('signedOut');
  });

  it('an idle sign-out is told to the other tabs', () => {
    const m = monitoring();
    const effects = m.send({ type: 'signOut', reason: 'idle' });
    expect(broadcasts(effects)).toEqual([{ type: 'signedOut', reason: 'idle', sub: 'alice' }]);
  });

  it('a tab that is signed out already ignores another sign-out', () => {
    const m = monitoring();
    m.send({ type: 'signOut', reason: 'idle' });
    expect(m.send({ type: 'signOut', reason: 'logout' })).toEqual([]);
  });
});

describe('onTab', () => {
  it('a front-channel logout relayed by another tab signs this tab out with reason front-channel', () => {
    const m = follower();
    const effects = m.tab({ type: 'signedOut', reason: 'front-channel', sub: 'alice' });
    expect(ofType(effects, 'signOut')).toEqual([{ type: 'signOut', reason: 'front-channel', sub: 'alice' }]);
    expect(broadcasts(effects)).toEqual([]);
  });

  it('any other sign-out relayed by another tab signs this tab out with reason other-tab, told to nobody', () => {
    const m = follower();
    const effects = m.tab({ type: 'signedOut', reason: 'login_required', sub: 'alice' });
    expect(ofType(effects, 'signOut')).toEqual([{ type: 'signOut', reason: 'other-tab', sub: 'alice' }]);
    expect(broadcasts(effects)).toEqual([]);
  });

  it('another tab\'s userChanged signs this tab\'s user out and names the new user', () => {
    const m = follower();
    const effects = m.tab({ type: 'userChanged', previousSub: 'alice', sub: 'bob' });
    expect(ofType(effects, 'signOut')).toEqual([{ type: 'signOut', reason: 'other-tab', sub: 'alice', userChangedTo: 'bob' }]);
    expect(broadcasts(effects)).toEqual([]);
  });

  it('a follower mirrors `refreshed`: the same event, and its own user with the new session_state', () => {
    const m = follower();
    const effects = m.tab({ type: 'refreshed', sub: 'alice', session_state: 's2', previous_session_state: 's1' });
    expect(emitted(effects, 'refreshed')).toEqual([{ sub: 'alice', session_state: 's2', previous_session_state: 's1' }]);
    expect(m.core.session).toEqual({ sub: 'alice', session_state: 's2', id_token: 'id-1' });
    expect(broadcasts(effects)).toEqual([]);
    // Still its user: another tab's sign-out of alice reaches it, and when it leads it polls the new session_state.
    const leader = new Monitor();
    leader.state = m.state;
    leader.send({ type: 'leading', leading: true });
    leader.resolve();
    expect(posts(leader.loaded())).toEqual(['client s2']);
    expect(ofType(m.tab({ type: 'signedOut', reason: 'login_required', sub: 'alice' }), 'signOut')).toHaveLength(1);
  });

  it('a follower that mirrored `refreshed` and then leads re-checks with its own user and ID token', () => {
    const m = follower();
    m.tab({ type: 'refreshed', sub: 'alice', session_state: 's2', previous_session_state: 's1' });
    m.send({ type: 'leading', leading: true });
    m.resolve();
    m.loaded();
    expect(ofType(m.reply('changed'), 'recheck')[0]!.context).toEqual({ session_state: 's2', sub: 'alice', id_token: 'id-1' });
  });

  it('a follower mirrors `unavailable` with its payload, once per reason', () => {
    const m = follower();
    const message: TabMessage = { type: 'unavailable', sub: 'alice', reason: 'no-reply', detail: 'd1', retrying: true };
    const effects = m.tab(message);
    expect(emitted(effects, 'unavailable')).toEqual([{ reason: 'no-reply', detail: 'd1', retrying: true }]);
    expect(states(effects)).toEqual(['unavailable']);
    expect(m.tab({ ...message, detail: 'd2' })).toEqual([]);
    expect(emitted(m.tab({ ...message, reason: 'frame-timeout', retrying: false }), 'unavailable')).toEqual([{ reason: 'frame-timeout', detail: 'd1', retrying: false }]);
  });

  it('a follower mirrors `monitoring`: back from unavailable, and the same reason reported again later', () => {
    const m = follower();
    const message: TabMessage = { type: 'unavailable', sub: 'alice', reason: 'no-reply', detail: 'd1', retrying: true };
    m.tab(message);
    expect(states(m.tab({ type: 'monitoring', sub: 'alice' }))).toEqual(['monitoring']);
    expect(emitted(m.tab(message), 'unavailable')).toHaveLength(1);
  });

  it('a follower told `monitoring` forgets the outage: its own failed re-check leaves it monitoring, not unavailable', () => {
    const m = follower();
    m.tab({ type: 'unavailable', sub: 'alice', reason: 'no-reply', detail: 'd1', retrying: true });
    m.tab({ type: 'monitoring', sub: 'alice' });
    m.renewalFailed();
    expect(m.core.phase).toBe('rechecking');
    const effects = m.send({ type: 'recheckFailed', id: m.core.recheck!.id, error: new Error('network') });
    expect(states(effects)).toEqual(['monitoring']);
  });

  it('a leader that is unavailable ignores another tab\'s `monitoring`', () => {
    const m = polling({ coordinated: true });
    m.reply('error');
    const before = m.state;
    expect(m.tab({ type: 'monitoring', sub: 'alice' })).toEqual([]);
    expect(m.state).toEqual(before);
  });

  it('a follower mirroring `refreshed` while unavailable is monitoring again', () => {
    const m = follower();
    m.tab({ type: 'unavailable', sub: 'alice', reason: 'no-reply', detail: 'd1', retrying: true });
    expect(states(m.tab({ type: 'refreshed', sub: 'alice', session_state: 's2', previous_session_state: 's1' }))).toEqual(['monitoring']);
  });

  it('the leader ignores the poller messages of another leader for its user', () => {
    const m = monitoring({ coordinated: true });
    const before = m.state;
    for (const message of [
      { type: 'refreshed', sub: 'alice', session_state: 's2', previous_session_state: 's1' },
      { type: 'unavailable', sub: 'alice', reason: 'no-reply', detail: 'd', retrying: true },
      { type: 'monitoring', sub: 'alice' },
    ] as TabMessage[]) {
      expect(m.tab(message)).toEqual([]);
      expect(m.state).toEqual(before);
    }
  });

  it('a new follower says hello; the leader answers it with `monitoring` while it monitors or re-checks', () => {
    const f = new Monitor();
    f.start(true);
    expect(broadcasts(f.read(ALICE))).toEqual([{ type: 'hello', sub: 'alice' }]);
    const m = monitoring({ coordinated: true });
    expect(broadcasts(m.tab({ type: 'hello', sub: 'alice' }))).toEqual([{ type: 'monitoring', sub: 'alice' }]);
    m.advance(1000).fire('tick');
    m.reply('changed');
    expect(m.core.phase).toBe('rechecking');
    expect(broadcasts(m.tab({ type: 'hello', sub: 'alice' }))).toEqual([{ type: 'monitoring', sub: 'alice' }]);
    expect(m.tab({ type: 'hello', sub: 'bob' })).toEqual([]);
  });

  it('the leader answers hello with what its last `unavailable` said', () => {
    const m = polling({ coordinated: true });
    m.reply('error');
    expect(broadcasts(m.tab({ type: 'hello', sub: 'alice' }))).toEqual([{ type: 'unavailable', sub: 'alice', reason: 'error-status', detail: expect.any(String), retrying: true }]);
  });

  it('a leader still starting, and a follower, do not answer hello', () => {
    const m = new Monitor();
    m.start(true);
    m.read(ALICE);
    m.send({ type: 'leading', leading: true });
    expect(m.core.phase).toBe('starting');
    expect(m.tab({ type: 'hello', sub: 'alice' })).toEqual([]);
    const f = follower();
    f.tab({ type: 'monitoring', sub: 'alice' });
    expect(f.core.phase).toBe('monitoring');
    expect(f.tab({ type: 'hello', sub: 'alice' })).toEqual([]);
  });

  it('the leader does not say hello', () => {
    const m = new Monitor();
    m.start(false);
    expect(broadcasts(m.read(ALICE))).toEqual([]);
  });
});

describe('leading', () => {
  it('a tab that stops leading during a re-check drops it and is monitoring again (another tab polls)', () => {
    const m = polling({ coordinated: true });
    m.reply('changed');
    expect(m.core.phase).toBe('rechecking');
    const frame = m.core.frame;
    const effects = m.send({ type: 'leading', leading: false });
    expect(states(effects)).toEqual(['monitoring']);
    expect(effects).toContainEqual({ type: 'abortRecheck' });
    expect(effects).toContainEqual({ type: 'disposeFrame', frame });
    expect(m.core.timers).toEqual({});
  });

  it('a tab that stops leading while its session is read still takes the read', () => {
    const m = new Monitor();
    m.start(true);
    const token = m.core.reading;
    m.send({ type: 'leading', leading: true });
    m.send({ type: 'leading', leading: false });
    expect(ofType(m.send({ type: 'sessionRead', token, session: ALICE }), 'watch')).toEqual([{ type: 'watch', sub: 'alice' }]);
    expect(m.core.session).toEqual(ALICE);
  });

  it('an uncoordinated tab ignores leadership', () => {
    const m = monitoring();
    const before = m.state;
    expect(m.send({ type: 'leading', leading: false })).toEqual([]);
    expect(m.state).toEqual(before);
  });
});

describe('wake', () => {
  it('runs a pending retry at once, and only once per backoff period', () => {
    const m = polling();
    m.fire('main'); // the reply deadline
    expect(m.core.mainAction).toBe('loadFrame');
    expect(ofType(m.send({ type: 'wake' }), 'createFrame')).toHaveLength(1);
    m.fire('main'); // the new frame times out: the retry is pending again, 2 s later
    expect(m.core.mainAction).toBe('loadFrame');
    m.advance(100);
    expect(ofType(m.send({ type: 'wake' }), 'createFrame')).toEqual([]);
    expect(m.core.mainAction).toBe('loadFrame');
  });
});

describe('onRecheckResult (continued)', () => {
  const signedOut = (session_state?: string) => ({ kind: 'signedOut', error: 'login_required', ...(session_state !== undefined ? { session_state } : {}) });

  it('an anonymous monitor watches next the anonymous session_state a sign-out answer carried', () => {
    const m = anonymousPolling();
    m.reply('changed');
    const effects = m.settle(signedOut('anon.2'));
    expect(ofType(effects, 'signOut')).toEqual([]);
    expect(states(effects)).toEqual(['monitoring']);
    expect(ofType(effects, 'setTimer')).toEqual([expect.objectContaining({ timer: 'main', ms: 1000 })]);
    expect(posts(m.fire('main'))).toEqual(['client anon.2']);
  });

  it('an anonymous monitor with no anonymous session_state to watch is unavailable for good (not-signed-in)', () => {
    for (const state of [undefined, 'anon 2']) {
      const m = anonymousPolling();
      m.reply('changed');
      const effects = m.settle(signedOut(state));
      expect(emitted(effects, 'unavailable')).toEqual([expect.objectContaining({ reason: 'not-signed-in', retrying: false })]);
      expect(states(effects)).toEqual(['monitoring', 'unavailable']);
    }
  });

  it('an anonymous monitor watching by re-check needs no session_state: it asks again after the re-check period', () => {
    const m = new Monitor({ anonymous: true, mode: 'recheck' });
    m.start();
    m.read(null);
    expect(ofType(m.resolve(), 'recheck')).toHaveLength(1);
    const effects = m.settle(signedOut());
    expect(emitted(effects, 'unavailable')).toEqual([]);
    expect(states(effects)).toEqual(['monitoring']);
    expect(ofType(effects, 'setTimer')).toEqual([expect.objectContaining({ timer: 'main', ms: 60_000 })]);
  });

  it('cross-site, an anonymous monitor keeps the cookie proof for the same anonymous session_state, not for a new one', () => {
    const m = anonymousPolling();
    m.state = { ...m.state, core: { ...m.core, crossSite: true } };
    expect(ofType(m.reply('unchanged'), 'rememberCookies')).toHaveLength(1);
    m.advance(1000).fire('tick');
    m.reply('changed');
    m.settle(signedOut('anon.1'));
    m.fire('main');
    expect(ofType(m.reply('unchanged'), 'rememberCookies')).toEqual([]);
    m.advance(1000).fire('tick');
    m.reply('changed');
    m.settle(signedOut('anon.2'));
    m.fire('main');
    expect(ofType(m.reply('unchanged'), 'rememberCookies')).toEqual([{ type: 'rememberCookies', session_state: 'anon.2', evidence: 'visible' }]);
  });

  it('a coordinated anonymous tab that sees a sign-in stops polling: tabs elect a poller for that user', () => {
    const m = anonymousPolling({}, true);
    m.reply('changed');
    const frame = m.core.frame;
    const effects = m.settle({ kind: 'authenticated', sub: 'alice', session_state: 's1' });
    expect(emitted(effects, 'signedIn')).toHaveLength(1);
    expect(effects).toContainEqual({ type: 'disposeFrame', frame });
    expect(ofType(effects, 'setTimer')).toEqual([]);
    expect(m.core.leading).toBe(false);
    expect(m.core.timers).toEqual({});
  });

  it('an anonymous monitor that saw a sign-in re-checks later with the ID token it brought', () => {
    const m = anonymousPolling();
    m.reply('changed');
    m.settle({ kind: 'authenticated', sub: 'alice', session_state: 's1', id_token: 'id-9' });
    m.fire('main');
    expect(ofType(m.reply('changed'), 'recheck')[0]!.context).toStrictEqual({ session_state: 's1', sub: 'alice', id_token: 'id-9' });
  });

  it('the OP\'s sign-out answer signs the user out with its error, and an anonymous monitor then watches the session_state it carried', () => {
    const m = anonymousPolling();
    m.reply('changed');
    m.settle({ kind: 'authenticated', sub: 'alice', session_state: 's1' });
    m.fire('main');
    m.reply('changed');
    const effects = m.settle({ kind: 'signedOut', error: 'consent_required', session_state: 'anon.9' });
    expect(ofType(effects, 'signOut')).toEqual([{ type: 'signOut', reason: 'consent_required', sub: 'alice' }]);
    expect(ofType(m.send({ type: 'signedOutLocally' }), 'readSession')).toHaveLength(1);
    m.read(null, { lastSessionState: 'anon.1' });
    m.resolve();
    expect(posts(m.loaded())).toEqual(['client anon.9']);
  });

  it('cross-site without cookie proof, the leader does not believe a sign-out answer: blocked cookies, the user kept', () => {
    const m = polling({ crossSite: true });
    m.reply('changed');
    const effects = m.settle(signedOut());
    expect(ofType(effects, 'signOut')).toEqual([]);
    expect(states(effects)).toEqual(['monitoring', 'unavailable']);
    expect(emitted(effects, 'unavailable')).toEqual([expect.objectContaining({ reason: 'third-party-cookies-blocked' })]);
    expect(ofType(effects, 'rememberCookies')).toEqual([{ type: 'rememberCookies', session_state: 's1', evidence: 'blocked' }]);
  });

  it('cross-site, a follower whose renewal failed does not believe a sign-out answer either: an error, the user kept', () => {
    const m = follower();
    m.renewalFailed(true);
    const effects = m.settle(signedOut());
    expect(ofType(effects, 'signOut')).toEqual([]);
    expect(emitted(effects, 'unavailable')).toEqual([]);
    expect(emitted(effects, 'error').map((e) => e.error.code)).toEqual([ErrorCode.RecheckFailed]);
  });

  it('same-site, a follower whose renewal failed believes the sign-out answer', () => {
    const m = follower();
    m.renewalFailed();
    expect(ofType(m.settle(signedOut()), 'signOut')).toEqual([{ type: 'signOut', reason: 'login_required', sub: 'alice' }]);
  });

  it('cross-site with cookie proof, a refreshed session_state keeps the proof (saved for it) and the next sign-out answer is believed', () => {
    const m = monitoring({ crossSite: true });
    m.advance(1000).fire('tick');
    m.reply('changed');
    const effects = m.refreshedTo('s2');
    expect(ofType(effects, 'rememberCookies')).toEqual([{ type: 'rememberCookies', session_state: 's2', evidence: 'visible' }]);
    m.fire('main');
    m.reply('changed');
    expect(ofType(m.settle(signedOut()), 'signOut')).toHaveLength(1);
  });

  it('cross-site with cookie proof, a re-check that returns the same session_state saves nothing new', () => {
    const m = monitoring({ crossSite: true });
    m.advance(1000).fire('tick');
    m.reply('changed');
    expect(ofType(m.refreshedTo('s1'), 'rememberCookies')).toEqual([]);
  });

  it('cross-site without cookie proof, a refreshed session_state saves no proof and a sign-out answer is still not believed', () => {
    const m = polling({ crossSite: true });
    m.reply('changed');
    expect(ofType(m.refreshedTo('s2'), 'rememberCookies')).toEqual([]);
    m.renewalFailed(true);
    expect(ofType(m.settle(signedOut()), 'signOut')).toEqual([]);
  });

  it('cross-site, a remembered block survives a re-check of the same session_state', () => {
    const m = polling({ crossSite: true, cookies: 'blocked' });
    m.renewalFailed(true);
    expect(ofType(m.refreshedTo('s1'), 'rememberCookies')).toEqual([]);
    m.fire('main');
    expect(emitted(m.reply('changed'), 'unavailable')).toEqual([expect.objectContaining({ reason: 'third-party-cookies-blocked' })]);
  });

  it('cross-site, a block remembered for the old session_state does not carry over to a refreshed one', () => {
    const m = polling({ crossSite: true, cookies: 'blocked' });
    m.renewalFailed(true);
    m.refreshedTo('s2');
    m.fire('main');
    expect(ofType(m.reply('changed'), 'recheck')).toHaveLength(1);
  });

  it('same-site, a refreshed session_state saves no cookie evidence', () => {
    const m = monitoring();
    m.advance(1000).fire('tick');
    m.reply('changed');
    expect(ofType(m.refreshedTo('s2'), 'rememberCookies')).toEqual([]);
  });

  it('watching by re-check across sites, the OP authenticating the user is the cookie proof: saved, and its sign-out answer believed', () => {
    const m = new Monitor({ mode: 'recheck' });
    m.start();
    m.read(ALICE);
    m.resolve(URL, true);
    expect(ofType(m.refreshedTo('s2'), 'rememberCookies')).toEqual([{ type: 'rememberCookies', session_state: 's2', evidence: 'visible' }]);
    m.advance(60_000).fire('main');
    expect(ofType(m.settle(signedOut()), 'signOut')).toHaveLength(1);
  });

  it('a keep-alive re-check is followed by a poll at once', () => {
    const m = monitoring({ config: { keepAlive: 10_000 } });
    m.advance(10_000);
    const check = ofType(m.fire('keepAlive'), 'recheck');
    expect(check).toHaveLength(1);
    expect(ofType(m.refreshedTo('s2'), 'setTimer')).toEqual([expect.objectContaining({ timer: 'main', ms: 0 })]);
  });

  it('a refreshed session ends a run of failed re-checks: the next failure retries after the shortest delay again', () => {
    const m = polling();
    const failOnce = () => {
      m.renewalFailed();
      return ofType(m.send({ type: 'recheckFailed', id: m.core.recheck!.id, error: new Error('network') }), 'setTimer').map((e) => e.ms);
    };
    expect(failOnce()).toEqual([1000]);
    expect(failOnce()).toEqual([2000]);
    m.renewalFailed();
    m.refreshedTo('s2');
    expect(failOnce()).toEqual([1000]);
  });

  it('a `changed` answer ends a run of failures: each failed re-check after one retries after the shortest delay', () => {
    const m = polling();
    for (let i = 0; i < 3; i++) {
      m.reply('changed');
      expect(ofType(m.send({ type: 'recheckFailed', id: m.core.recheck!.id, error: new Error('network') }), 'setTimer').map((e) => e.ms)).toEqual([1000]);
      m.fire('main');
    }
  });
});

describe('recheckFailed', () => {
  const timeOut = (m: Monitor) => m.fire('recheck');

  it('a re-check that fails reports an error, keeps the user, and polls again after a backoff', () => {
    const m = polling();
    m.reply('changed');
    const effects = m.send({ type: 'recheckFailed', id: m.core.recheck!.id, error: new Error('network') });
    const [error] = emitted(effects, 'error');
    expect(error!.error.code).toBe(ErrorCode.RecheckFailed);
    expect(error!.error.cause).toEqual(new Error('network'));
    expect(states(effects)).toEqual(['monitoring']);
    expect(ofType(effects, 'signOut')).toEqual([]);
    expect(ofType(effects, 'setTimer')).toEqual([expect.objectContaining({ timer: 'main', ms: 1000 })]);
  });

  it('a re-check that fails with the SDK\'s own error reports that error as is', () => {
    const m = polling();
    m.reply('changed');
    const own = new OidcSessionMonitorError(ErrorCode.RecheckTimeout, 'own');
    expect(emitted(m.send({ type: 'recheckFailed', id: m.core.recheck!.id, error: own }), 'error')).toEqual([{ error: own }]);
  });

  it('a re-check that settles with something else than a RecheckResult counts as failed', () => {
    const m = polling();
    m.reply('changed');
    const effects = m.settle({ kind: 'authenticated', sub: '' });
    expect(emitted(effects, 'error').map((e) => e.error.code)).toEqual([ErrorCode.RecheckFailed]);
    expect(ofType(effects, 'signOut')).toEqual([]);
  });

  it.each([
    ['a result without a sub', { kind: 'authenticated', sub: '', session_state: 's2' }],
    ['a result without a session_state', { kind: 'authenticated', sub: 'alice', session_state: '' }],
    ['a session_state with a space', { kind: 'authenticated', sub: 'alice', session_state: 's 2' }],
    ['a sub that is not a string', { kind: 'authenticated', sub: 7, session_state: 's2' }],
    ['a session_state that is not a string', { kind: 'authenticated', sub: 'alice', session_state: 2 }],
    ['a sign-out with an error that does not mean signed out', { kind: 'signedOut', error: 'server_error' }],
    ['a sign-out without an error', { kind: 'signedOut' }],
    ['another kind', { kind: 'other', error: 'login_required' }],
    ['null', null],
    ['a string', 'authenticated'],
  ])('a re-check that settles with %s counts as failed: nobody signed out, nothing stored', (_name, result) => {
    const m = polling();
    m.reply('changed');
    const effects = m.settle(result);
    expect(emitted(effects, 'error').map((e) => e.error.code)).toEqual([ErrorCode.RecheckFailed]);
    expect(ofType(effects, 'signOut')).toEqual([]);
    expect(ofType(effects, 'accept')).toEqual([]);
  });

  it('watching by re-check, an OP without session management may send an empty session_state', () => {
    const m = new Monitor({ mode: 'recheck' });
    m.start();
    m.read(ALICE);
    m.resolve(null);
    const result = { kind: 'authenticated', sub: 'alice', session_state: '' };
    expect(ofType(m.settle(result), 'accept')).toEqual([{ type: 'accept', result, sub: 'alice' }]);
  });

  it('a re-check that times out is aborted and reported as a timeout', () => {
    const m = polling();
    m.reply('changed');
    const effects = timeOut(m);
    expect(effects).toContainEqual({ type: 'abortRecheck' });
    expect(emitted(effects, 'error').map((e) => e.error.code)).toEqual([ErrorCode.RecheckTimeout]);
    expect(m.core.recheck).toBeUndefined();
  });

  it('a re-check that fails while an outage is reported leaves the monitor unavailable', () => {
    const m = polling();
    m.reply('error');
    m.renewalFailed();
    expect(states(m.send({ type: 'recheckFailed', id: m.core.recheck!.id, error: new Error('network') }))).toEqual(['unavailable']);
  });

  it('cross-site without cookie proof, the second re-check in a row that never answers means blocked cookies', () => {
    const m = polling({ crossSite: true });
    m.reply('changed');
    expect(emitted(timeOut(m), 'unavailable')).toEqual([]);
    m.fire('main');
    m.reply('changed');
    const effects = timeOut(m);
    expect(states(effects)).toEqual(['monitoring', 'unavailable']);
    expect(emitted(effects, 'unavailable')).toEqual([expect.objectContaining({ reason: 'third-party-cookies-blocked' })]);
  });

  it('same-site, re-checks that never answer are retried, never taken for blocked cookies', () => {
    const m = polling();
    for (let i = 0; i < 3; i++) {
      m.reply('changed');
      expect(emitted(timeOut(m), 'unavailable')).toEqual([]);
      m.fire('main');
    }
  });

  it('cross-site, a re-check that fails (not a timeout) is no strike', () => {
    const m = polling({ crossSite: true });
    for (let i = 0; i < 3; i++) {
      m.reply('changed');
      expect(emitted(m.send({ type: 'recheckFailed', id: m.core.recheck!.id, error: new Error('x') }), 'unavailable')).toEqual([]);
      m.fire('main');
    }
  });
});

describe('wake (continued)', () => {
  /** An outage: the early retry taken at `m.now`, the frame timed out again; the next retry is due in 2 s. */
  function outage(): Monitor {
    const m = polling();
    m.fire('main'); // no reply: failures 1
    expect(ofType(m.send({ type: 'wake' }), 'createFrame')).toHaveLength(1);
    m.fire('main'); // the frame times out: failures 2, the retry in 2000 ms
    expect(m.core.mainAction).toBe('loadFrame');
    return m;
  }

  it('a retry that waited for a hidden page gets a timer for the rest of the backoff period when the page is shown', () => {
    const m = outage();
    m.send({ type: 'visibility', visible: false });
    expect(m.core.timers.main).toBeUndefined();
    m.advance(500);
    const effects = m.send({ type: 'visibility', visible: true });
    expect(ofType(effects, 'createFrame')).toEqual([]);
    expect(ofType(effects, 'setTimer')).toEqual([expect.objectContaining({ timer: 'main', ms: 1500 })]);
  });

  it('a wake once the backoff period has passed runs the retry at once', () => {
    const m = outage();
    m.advance(1999);
    // Within the period the retry keeps its own timer.
    expect(m.send({ type: 'wake' })).toEqual([]);
    m.advance(1);
    expect(ofType(m.send({ type: 'wake' }), 'createFrame')).toHaveLength(1);
  });

  it('a second wake in the same millisecond as the early retry does not run it again', () => {
    const m = outage();
    expect(m.send({ type: 'wake' })).toEqual([]);
  });

  it('a wake while a poll is out does not move the backoff period on', () => {
    const m = polling();
    m.reply('error');
    const t0 = m.now;
    m.send({ type: 'wake' }); // the early retry: a poll
    m.now = t0 + 2000;
    expect(m.send({ type: 'wake' })).toEqual([]);
    m.reply('error');
    m.now = t0 + 4000;
    expect(posts(m.send({ type: 'wake' }))).toHaveLength(1);
  });

  it('a leader whose session read failed reads it again on a wake', () => {
    const m = new Monitor();
    m.start();
    m.send({ type: 'sessionReadFailed', token: m.core.reading, detail: 'x' });
    expect(ofType(m.send({ type: 'wake' }), 'readSession')).toHaveLength(1);
  });

  it('a follower whose session read failed reads it again on schedule, not on a wake', () => {
    const m = new Monitor();
    m.start(true);
    m.send({ type: 'sessionReadFailed', token: m.core.reading, detail: 'x' });
    expect(ofType(m.send({ type: 'wake' }), 'readSession')).toEqual([]);
    expect(ofType(m.fire('main'), 'readSession')).toHaveLength(1);
  });

  it('a follower whose session read failed while hidden reads it again when shown', () => {
    const m = new Monitor();
    m.start(true, false);
    m.send({ type: 'sessionReadFailed', token: m.core.reading, detail: 'x' });
    expect(m.core.timers.main).toBeUndefined();
    expect(ofType(m.send({ type: 'visibility', visible: true }), 'readSession')).toHaveLength(1);
  });

  it('a wake after the clock was set back runs the retry at once', () => {
    const m = outage();
    m.advance(-1);
    expect(ofType(m.send({ type: 'wake' }), 'createFrame')).toHaveLength(1);
  });

  it('a retry that ran on schedule allows one early retry again', () => {
    const m = outage();
    m.fire('main'); // the retry, on schedule
    m.fire('main'); // times out again
    m.advance(10);
    expect(ofType(m.send({ type: 'wake' }), 'createFrame')).toHaveLength(1);
  });

  it('during a run of `error` answers, the early retry is once per backoff period of that run', () => {
    const m = polling();
    m.reply('error');
    const t0 = m.now;
    expect(posts(m.send({ type: 'wake' }))).toHaveLength(1);
    m.reply('error'); // two in a row: the period is now 4 s
    m.now = t0 + 3999;
    expect(posts(m.send({ type: 'wake' }))).toEqual([]);
    m.now = t0 + 4000;
    expect(posts(m.send({ type: 'wake' }))).toHaveLength(1);
  });

  it('a paused tab that is used again reads the session once to learn whether the logout left', () => {
    const m = monitoring();
    m.send({ type: 'suspend' });
    expect(ofType(m.send({ type: 'wake' }), 'readSession')).toHaveLength(1);
    expect(ofType(m.send({ type: 'wake' }), 'readSession')).toEqual([]);
  });

  it('a follower\'s wake does nothing', () => {
    const m = follower();
    expect(m.send({ type: 'wake' })).toEqual([]);
  });

  it('a wake while the frame loads waits for it', () => {
    const m = new Monitor();
    m.start();
    m.read(ALICE);
    m.resolve();
    expect(m.send({ type: 'wake' })).toEqual([]);
  });

  it('a poll that came due while the page was hidden is sent when it is shown', () => {
    const m = monitoring();
    m.send({ type: 'visibility', visible: false });
    expect(m.core.timers.tick).toBeUndefined();
    m.advance(5000);
    expect(posts(m.send({ type: 'visibility', visible: true }))).toEqual(['client s1']);
  });

  it('a frame that loads while the page is hidden is polled when the page is shown', () => {
    const m = new Monitor();
    m.start(false, false);
    m.read(ALICE);
    m.resolve();
    expect(posts(m.loaded())).toEqual([]);
    expect(posts(m.send({ type: 'visibility', visible: true }))).toEqual(['client s1']);
  });

  it('a wake during a re-check sends no poll', () => {
    const m = polling();
    m.reply('changed');
    expect(posts(m.send({ type: 'wake' }))).toEqual([]);
  });
});

describe('checkByRecheck', () => {
  function byRecheck(config: Partial<MonitorConfig> = {}, crossSite = false): Monitor {
    const m = new Monitor({ mode: 'recheck', ...config });
    m.start();
    m.read(ALICE);
    expect(ofType(m.resolve(URL, crossSite), 'recheck')).toHaveLength(1);
    return m;
  }

  it('watching by re-check, a wake within the minimum gap waits for the rest of it; one at the gap re-checks', () => {
    const m = byRecheck();
    m.refreshedTo('s1');
    m.advance(4000);
    const effects = m.send({ type: 'wake' });
    expect(ofType(effects, 'recheck')).toEqual([]);
    expect(ofType(effects, 'setTimer')).toEqual([expect.objectContaining({ timer: 'main', ms: 6000 })]);
    m.advance(6000);
    expect(ofType(m.send({ type: 'wake' }), 'recheck')).toHaveLength(1);
  });

  it('watching by re-check, a failed renewal asks at once, inside the gap, and a focus right after its answer waits for the gap from it', () => {
    const m = byRecheck();
    m.refreshedTo('s1');
    m.advance(3000);
    // Dead tokens are asked about at once, whatever the gap.
    expect(ofType(m.renewalFailed(), 'recheck')).toHaveLength(1);
    m.refreshedTo('s2');
    m.advance(4000);
    // The renewal's answer is as fresh as any: a focus 4 s after it waits the rest of the gap, counted from it.
    const effects = m.send({ type: 'wake' });
    expect(ofType(effects, 'recheck')).toEqual([]);
    expect(ofType(effects, 'setTimer')).toEqual([expect.objectContaining({ timer: 'main', ms: 6000 })]);
    m.advance(6000);
    expect(ofType(m.fire('main'), 'recheck')).toHaveLength(1);
  });

  it('watching by re-check, a focus while a re-check runs queues nothing: the answer schedules the next one', () => {
    const m = byRecheck();
    m.advance(2000);
    const effects = m.send({ type: 'wake' });
    expect(effects).toEqual([]);
    expect(m.core.timers.main).toBeUndefined();
  });

  it('watching by re-check, a tab that no longer leads never re-checks on its own, even when its own retry comes due', () => {
    const m = new Monitor({ mode: 'recheck' });
    m.start(true);
    m.read(ALICE);
    m.send({ type: 'leading', leading: true });
    m.resolve();
    m.refreshedTo('s1');
    m.send({ type: 'leading', leading: false });
    // Its own renewal failed: it asks once (any tab may), the OP does not answer, and the retry comes due.
    m.renewalFailed();
    m.send({ type: 'recheckFailed', id: m.core.recheck!.id, error: new Error('offline') });
    m.advance(120_000);
    expect(ofType(m.fire('main'), 'recheck')).toEqual([]);
    expect(ofType(m.send({ type: 'wake' }), 'recheck')).toEqual([]);
  });

  it('watching by re-check anonymously, a focus between a sign-out and reading the store again asks nothing', () => {
    const m = new Monitor({ mode: 'recheck', anonymous: true });
    m.start();
    m.read(ALICE);
    m.resolve();
    m.settle({ kind: 'signedOut', error: 'login_required' });
    m.send({ type: 'signedOutLocally' });
    expect(m.core.reading).not.toBe(0);
    m.advance(60_000);
    expect(ofType(m.send({ type: 'wake' }), 'recheck')).toEqual([]);
  });

  it('watching by re-check, a wake after the clock was set back re-checks', () => {
    const m = byRecheck();
    m.refreshedTo('s1');
    m.advance(-1);
    expect(ofType(m.send({ type: 'wake' }), 'recheck')).toHaveLength(1);
  });

  it('watching by re-check, a hidden page re-checks only when shown', () => {
    const m = byRecheck();
    m.refreshedTo('s1');
    m.send({ type: 'visibility', visible: false });
    m.advance(60_000);
    expect(m.core.timers).toEqual({});
    expect(m.send({ type: 'wake' }).filter((e) => e.type === 'recheck' || e.type === 'setTimer')).toEqual([]);
    expect(ofType(m.send({ type: 'visibility', visible: true }), 'recheck')).toHaveLength(1);
  });

  it('watching by re-check across sites, after a sign-out answer that could not be believed, nothing is asked again', () => {
    const m = byRecheck({}, true);
    const effects = m.settle({ kind: 'signedOut', error: 'login_required' });
    expect(emitted(effects, 'unavailable')).toEqual([expect.objectContaining({ reason: 'third-party-cookies-blocked', retrying: false })]);
    expect(m.core.timers).toEqual({});
    m.advance(60_000);
    expect(ofType(m.send({ type: 'wake' }), 'recheck')).toEqual([]);
  });

  it('watching by re-check, the keep-alive is off (the checks keep the OP session alive)', () => {
    const m = new Monitor({ mode: 'recheck', keepAlive: 10_000 });
    m.start();
    m.read(ALICE);
    m.resolve();
    m.refreshedTo('s1');
    m.advance(10_000);
    // The keep-alive set before the OP's metadata said how the session is watched ends at its first turn.
    const effects = m.fire('keepAlive');
    expect(ofType(effects, 'recheck')).toEqual([]);
    expect(ofType(effects, 'setTimer')).toEqual([]);
    expect(m.core.timers.keepAlive).toBeUndefined();
  });

  it('a follower that mirrored another tab\'s re-check and then leads waits the minimum gap before its own', () => {
    const m = follower(ALICE, { mode: 'recheck' });
    m.tab({ type: 'refreshed', sub: 'alice', session_state: 's2', previous_session_state: 's1' });
    m.advance(1000);
    m.send({ type: 'leading', leading: true });
    const effects = m.resolve();
    expect(ofType(effects, 'recheck')).toEqual([]);
    expect(ofType(effects, 'setTimer')).toEqual([expect.objectContaining({ timer: 'main', ms: 9000 })]);
  });

  it('watching by re-check, failures back off from the minimum gap up to the period', () => {
    const m = byRecheck({ minRecheckInterval: 5000, recheckInterval: 15_000 });
    const fail = () => ofType(m.send({ type: 'recheckFailed', id: m.core.recheck!.id, error: new Error('x') }), 'setTimer').map((e) => e.ms);
    expect(fail()).toEqual([5000]);
    m.advance(5000).fire('main');
    expect(fail()).toEqual([10_000]);
    m.advance(10_000).fire('main');
    expect(fail()).toEqual([15_000]);
  });
});

describe('startRecheck: the loop guard', () => {
  /** One `changed` answer and its re-check, answered with a new session_state. Returns the `changed` effects. */
  function changedRound(m: Monitor, next: string) {
    const effects = m.reply('changed');
    if (m.core.recheck) {
      m.refreshedTo(next);
      m.fire('main');
    }
    return effects;
  }

  it('pauses re-checks after maxRechecks within the window, until the first of them leaves it', () => {
    const m = polling({ config: { maxRechecks: 2 } });
    changedRound(m, 's2');
    m.advance(1000);
    changedRound(m, 's3');
    m.advance(1000);
    const effects = m.reply('changed');
    expect(ofType(effects, 'recheck')).toEqual([]);
    expect(emitted(effects, 'unavailable')).toEqual([expect.objectContaining({ reason: 'loop-guard', retrying: true, retryInMs: 58_000 })]);
    expect(ofType(effects, 'setTimer')).toEqual([expect.objectContaining({ timer: 'main', ms: 58_000 })]);
  });

  it('a re-check exactly one window ago no longer counts', () => {
    const m = polling({ config: { maxRechecks: 1 } });
    changedRound(m, 's2');
    m.advance(59_999);
    expect(ofType(m.reply('changed'), 'recheck')).toEqual([]);
    m.fire('main');
    m.advance(1);
    expect(ofType(m.reply('changed'), 'recheck')).toHaveLength(1);
  });

  it('two re-checks in the same millisecond both count', () => {
    const m = polling({ config: { maxRechecks: 1 } });
    changedRound(m, 's2');
    expect(ofType(m.reply('changed'), 'recheck')).toEqual([]);
  });

  it('a re-check "in the future" (the clock was set back) does not count', () => {
    const m = polling({ config: { maxRechecks: 1 } });
    changedRound(m, 's2');
    m.advance(-1);
    expect(ofType(m.reply('changed'), 'recheck')).toHaveLength(1);
  });

  it('paused near the end of the window, it waits at least one interval', () => {
    const m = polling({ config: { maxRechecks: 1, recheckWindow: 10_000 } });
    changedRound(m, 's2');
    m.advance(9500);
    expect(ofType(m.reply('changed'), 'setTimer')).toEqual([expect.objectContaining({ timer: 'main', ms: 1000 })]);
  });

  it('the loop guard keeps counting while it pauses', () => {
    const m = polling({ config: { maxRechecks: 1 } });
    changedRound(m, 's2');
    m.advance(30_000);
    m.reply('changed'); // paused for 30 s
    m.fire('main');
    m.advance(10_000);
    expect(ofType(m.reply('changed'), 'setTimer')).toEqual([expect.objectContaining({ timer: 'main', ms: 20_000 })]);
  });

  it('watching by re-check, re-checks do not count (the minimum gap is the guard there)', () => {
    const m = new Monitor({ mode: 'recheck', maxRechecks: 1, recheckInterval: 20_000 });
    m.start();
    m.read(ALICE);
    m.resolve();
    m.refreshedTo('s1');
    m.advance(20_000);
    expect(ofType(m.fire('main'), 'recheck')).toHaveLength(1);
  });

  it('keep-alive re-checks do not count', () => {
    const m = monitoring({ config: { maxRechecks: 1, keepAlive: 10_000 } });
    m.advance(10_000);
    m.fire('keepAlive');
    m.refreshedTo('s2');
    m.fire('main');
    expect(ofType(m.reply('changed'), 'recheck')).toHaveLength(1);
  });
});

describe('keep-alive', () => {
  it('a leader that monitors runs a keep-alive prompt=none every keepAlive, only when idle otherwise', () => {
    const m = new Monitor({ keepAlive: 10_000 });
    m.start();
    expect(ofType(m.read(ALICE), 'setTimer')).toEqual([expect.objectContaining({ timer: 'keepAlive', ms: 10_000 })]);
    m.resolve();
    m.loaded();
    // A poll is out: no keep-alive on top of it, only the next period.
    let effects = m.fire('keepAlive');
    expect(ofType(effects, 'recheck')).toEqual([]);
    expect(ofType(effects, 'setTimer')).toEqual([expect.objectContaining({ timer: 'keepAlive', ms: 10_000 })]);
    m.reply('unchanged');
    effects = m.fire('keepAlive');
    expect(ofType(effects, 'recheck')).toEqual([expect.objectContaining({ context: { session_state: 's1', sub: 'alice', id_token: 'id-1' } })]);
    expect(m.core.recheck?.keepAlive).toBe(true);
  });

  it('no keep-alive while unavailable, nor while the page is hidden, and none when it is off', () => {
    const m = polling({ config: { keepAlive: 10_000 } });
    m.reply('error');
    expect(ofType(m.fire('keepAlive'), 'recheck')).toEqual([]);
    const hidden = monitoring({ config: { keepAlive: 10_000 } });
    const keepAlive = hidden.core.timers.keepAlive!;
    expect(hidden.send({ type: 'visibility', visible: false })).toContainEqual({ type: 'clearTimer', timer: 'keepAlive', token: keepAlive });
    expect(hidden.core.timers.keepAlive).toBeUndefined();
    expect(ofType(hidden.send({ type: 'visibility', visible: true }), 'setTimer')).toContainEqual(expect.objectContaining({ timer: 'keepAlive', ms: 10_000 }));
    expect(monitoring().core.timers.keepAlive).toBeUndefined();
  });

  it('a focus on a visible page leaves the keep-alive period alone', () => {
    const m = monitoring({ config: { keepAlive: 10_000 } });
    const keepAlive = m.core.timers.keepAlive;
    m.send({ type: 'visibility', visible: true });
    expect(m.core.timers.keepAlive).toBe(keepAlive);
  });

  it('a follower runs no keep-alive, even when shown', () => {
    const m = follower(ALICE, { keepAlive: 10_000 });
    expect(m.core.timers.keepAlive).toBeUndefined();
    m.send({ type: 'visibility', visible: true });
    expect(m.core.timers.keepAlive).toBeUndefined();
  });

  it('a leader started hidden has no keep-alive until it is shown', () => {
    const m = new Monitor({ keepAlive: 10_000 });
    m.start(false, false);
    m.read(ALICE);
    expect(m.core.timers.keepAlive).toBeUndefined();
    m.send({ type: 'visibility', visible: true });
    expect(m.core.timers.keepAlive).toBeDefined();
  });
});

describe('onSessionRead', () => {
  it.each([null, { sub: '', session_state: 's1' }])('nobody signed in (%j): unavailable for good, and this tab watches nobody', (session) => {
    const m = new Monitor();
    m.start();
    const effects = m.read(session);
    expect(emitted(effects, 'unavailable')).toEqual([expect.objectContaining({ reason: 'not-signed-in', retrying: false })]);
    expect(ofType(effects, 'watch')).toEqual([{ type: 'watch', sub: undefined }]);
    expect(ofType(effects, 'resolveFrameUrl')).toEqual([]);
  });

  it('anonymous, with nothing known: watches nothing yet, and learns the anonymous session_state with one prompt=none', () => {
    for (const last of [undefined, 'anon 1']) {
      const m = new Monitor({ anonymous: true });
      m.start();
      expect(ofType(m.read(null, last ? { lastSessionState: last } : {}), 'watch')).toEqual([{ type: 'watch', sub: '' }]);
      m.resolve();
      const effects = m.loaded();
      expect(posts(effects)).toEqual([]);
      expect(ofType(effects, 'recheck')).toEqual([expect.objectContaining({ context: { session_state: '', sub: '' } })]);
    }
  });

  it('iframe mode, a sign-in without session_state: unavailable for good (no-session-state)', () => {
    const m = new Monitor({ mode: 'iframe' });
    m.start();
    const effects = m.read({ sub: 'alice', session_state: '' });
    expect(emitted(effects, 'unavailable')).toEqual([expect.objectContaining({ reason: 'no-session-state', retrying: false })]);
    expect(ofType(effects, 'watch')).toEqual([{ type: 'watch', sub: undefined }]);
  });

  it('iframe mode, a sign-in with a session_state is watched through the OP iframe', () => {
    const m = new Monitor({ mode: 'iframe' });
    m.start();
    expect(emitted(m.read(ALICE), 'unavailable')).toEqual([]);
    expect(ofType(m.resolve(), 'createFrame')).toHaveLength(1);
  });

  it('watching by re-check across sites, cookie access read from storage as `visible` is not believed', () => {
    const m = new Monitor({ mode: 'recheck' });
    m.start();
    m.read(ALICE, { cookies: 'visible' });
    m.resolve(URL, true);
    expect(ofType(m.settle({ kind: 'signedOut', error: 'login_required' }), 'signOut')).toEqual([]);
  });

  it('anonymous, the session_state a sign-out answer carried is watched once; a later read uses the last one known', () => {
    const m = anonymousPolling();
    m.reply('changed');
    m.settle({ kind: 'authenticated', sub: 'alice', session_state: 's1' });
    m.fire('main');
    m.reply('changed');
    m.settle({ kind: 'signedOut', error: 'login_required', session_state: 'anon.9' });
    m.send({ type: 'signedOutLocally' });
    m.read(null);
    m.resolve();
    expect(posts(m.loaded())).toEqual(['client anon.9']);
    m.send({ type: 'suspend' });
    m.send({ type: 'resume' });
    m.read(null, { lastSessionState: 'anon.5' });
    expect(posts(m.loaded())).toEqual(['client anon.5']);
  });

  it('a session_state with a space is unusable in any mode', () => {
    const m = new Monitor();
    m.start();
    expect(emitted(m.read({ sub: 'alice', session_state: 's 1' }), 'unavailable')).toEqual([expect.objectContaining({ reason: 'no-session-state' })]);
  });

  it('auto mode, a sign-in without session_state is watched by re-check even where the OP has an iframe', () => {
    const m = new Monitor();
    m.start();
    expect(emitted(m.read({ sub: 'alice', session_state: '' }), 'unavailable')).toEqual([]);
    const effects = m.resolve();
    expect(ofType(effects, 'createFrame')).toEqual([]);
    expect(ofType(effects, 'recheck')).toHaveLength(1);
  });

  it('cross-site, cookie access read from storage as `visible` is not believed: a sign-out answer still needs the frame\'s proof', () => {
    const m = polling({ crossSite: true, cookies: 'visible' });
    m.reply('changed');
    expect(ofType(m.settle({ kind: 'signedOut', error: 'login_required' }), 'signOut')).toEqual([]);
  });

  it('a new sign-in read starts the cross-site strikes over', () => {
    const m = polling({ crossSite: true });
    m.reply('changed');
    m.refreshedTo('s2');
    m.fire('main');
    m.reply('changed'); // strike 1
    m.send({ type: 'suspend' });
    m.send({ type: 'resume' });
    m.read({ sub: 'alice', session_state: 's3' });
    m.loaded();
    m.reply('changed');
    m.refreshedTo('s4');
    m.fire('main');
    expect(ofType(m.reply('changed'), 'recheck')).toHaveLength(1);
  });
});

describe('apply: the inputs', () => {
  it('a second start is ignored', () => {
    const m = new Monitor();
    m.start();
    expect(m.start()).toEqual([]);
    m.read(ALICE);
    expect(m.start()).toEqual([]);
  });

  it('a stale session read is ignored', () => {
    const m = new Monitor();
    m.start();
    expect(m.send({ type: 'sessionRead', token: m.core.reading + 1, session: ALICE })).toEqual([]);
  });

  it('paused, a read that finds the user gone ends as a logout sign-out, told to nobody', () => {
    const m = monitoring();
    m.send({ type: 'suspend' });
    m.send({ type: 'wake' });
    const effects = m.read(null);
    expect(ofType(effects, 'signOut')).toEqual([{ type: 'signOut', reason: 'logout', sub: 'alice' }]);
    expect(broadcasts(effects)).toEqual([]);
  });

  it('paused and anonymous, a read that finds nobody ends as a logout', () => {
    const m = anonymousPolling();
    m.send({ type: 'suspend' });
    m.send({ type: 'wake' });
    const effects = m.read(null);
    expect(ofType(effects, 'signOut')).toEqual([{ type: 'signOut', reason: 'logout' }]);
    expect(states(effects)).toEqual(['signedOut']);
  });

  it('paused, a read that finds the user still there goes on monitoring, with a remembered block', () => {
    const m = monitoring({ crossSite: true });
    m.send({ type: 'suspend' });
    m.send({ type: 'wake' });
    const effects = m.read(ALICE, { cookies: 'blocked' });
    expect(states(effects)).toEqual(['starting']);
    expect(ofType(effects, 'watch')).toEqual([{ type: 'watch', sub: 'alice' }]);
    m.loaded();
    expect(emitted(m.reply('changed'), 'unavailable')).toEqual([expect.objectContaining({ reason: 'third-party-cookies-blocked' })]);
  });

  it('a failed session read is retried; a stale one is ignored', () => {
    const m = new Monitor();
    m.start();
    expect(m.send({ type: 'sessionReadFailed', token: m.core.reading + 1, detail: 'x' })).toEqual([]);
    const effects = m.send({ type: 'sessionReadFailed', token: m.core.reading, detail: 'x' });
    expect(emitted(effects, 'unavailable')).toEqual([expect.objectContaining({ reason: 'not-signed-in', retrying: true, retryInMs: 1000 })]);
    expect(ofType(m.fire('main'), 'readSession')).toHaveLength(1);
  });

  it('iframe mode, an OP without check_session_iframe: unavailable for good (unsupported)', () => {
    const m = new Monitor({ mode: 'iframe' });
    m.start();
    m.read(ALICE);
    const effects = m.resolve(null);
    expect(emitted(effects, 'unavailable')).toEqual([expect.objectContaining({ reason: 'unsupported', retrying: false })]);
    expect(ofType(effects, 'recheck')).toEqual([]);
  });

  it('auto mode, an OP without check_session_iframe is watched by re-check', () => {
    const m = new Monitor();
    m.start();
    m.read(ALICE);
    expect(ofType(m.resolve(null), 'recheck')).toHaveLength(1);
    expect(m.core.byRecheck).toBe(true);
  });

  it('recheck mode ignores the OP\'s iframe', () => {
    const m = new Monitor({ mode: 'recheck' });
    m.start();
    m.read(ALICE);
    const effects = m.resolve(URL);
    expect(ofType(effects, 'createFrame')).toEqual([]);
    expect(ofType(effects, 'recheck')).toHaveLength(1);
  });

  it('a stale frame URL answer is ignored', () => {
    const m = new Monitor();
    m.start();
    m.read(ALICE);
    expect(m.send({ type: 'frameUrlResolved', token: m.core.resolving + 1, url: URL, crossSite: false })).toEqual([]);
    expect(m.send({ type: 'frameUrlFailed', token: m.core.resolving + 1, reason: 'discovery-failed', detail: 'x' })).toEqual([]);
  });

  it('the OP frame is created at the resolved URL, and times out after frameTimeout', () => {
    const m = new Monitor();
    m.start();
    m.read(ALICE);
    const effects = m.resolve();
    expect(ofType(effects, 'createFrame')).toEqual([{ type: 'createFrame', frame: m.core.frame, url: URL }]);
    expect(ofType(effects, 'setTimer')).toEqual([expect.objectContaining({ timer: 'main', ms: 2000 })]);
    const frame = m.core.frame;
    const timedOut = m.fire('main');
    expect(emitted(timedOut, 'unavailable')).toEqual([expect.objectContaining({ reason: 'frame-timeout', retrying: true })]);
    expect(timedOut).toContainEqual({ type: 'disposeFrame', frame });
  });

  it('invalid OP metadata is unavailable for good; a failed discovery is retried', () => {
    const invalid = new Monitor();
    invalid.start();
    invalid.read(ALICE);
    const effects = invalid.send({ type: 'frameUrlFailed', token: invalid.core.resolving, reason: 'invalid-metadata', detail: 'd' });
    expect(emitted(effects, 'unavailable')).toEqual([{ reason: 'invalid-metadata', detail: 'd', retrying: false }]);
    expect(invalid.core.timers.main).toBeUndefined();
    const failed = new Monitor();
    failed.start();
    failed.read(ALICE);
    expect(emitted(failed.send({ type: 'frameUrlFailed', token: failed.core.resolving, reason: 'discovery-failed', detail: 'd' }), 'unavailable')).toEqual([
      { reason: 'discovery-failed', detail: 'd', retrying: true, retryInMs: 1000 },
    ]);
    expect(ofType(failed.fire('main'), 'resolveFrameUrl')).toHaveLength(1);
  });

  it('a frame that loads twice, or a stale frame, is polled once', () => {
    const m = new Monitor();
    m.start();
    m.read(ALICE);
    m.resolve();
    expect(m.loaded(m.core.frame + 1)).toEqual([]);
    expect(posts(m.loaded())).toHaveLength(1);
    expect(m.loaded()).toEqual([]);
  });

  it('the first poll is timed out by its own deadline, replyTimeout after it was sent', () => {
    const m = new Monitor();
    m.start();
    m.read(ALICE);
    m.resolve();
    const effects = m.loaded();
    expect(ofType(effects, 'setTimer')).toEqual([expect.objectContaining({ timer: 'main', ms: 500 })]);
    const frame = m.core.frame;
    const timedOut = m.fire('main');
    expect(emitted(timedOut, 'unavailable')).toEqual([expect.objectContaining({ reason: 'no-reply', retrying: true, retryInMs: 1000 })]);
    expect(timedOut).toContainEqual({ type: 'disposeFrame', frame });
    expect(ofType(m.fire('main'), 'createFrame')).toHaveLength(1);
  });

  it('steady polling: the tick times a poll out once replyTimeout has passed, not before', () => {
    const m = monitoring({ config: { replyTimeout: 5000 } });
    m.advance(1000).fire('tick');
    expect(m.state.poll.pollInFlight).toBe(true);
    m.advance(4999);
    expect(m.fire('tick')).toEqual([]);
    m.advance(1);
    expect(emitted(m.fire('tick'), 'unavailable')).toEqual([expect.objectContaining({ reason: 'no-reply' })]);
  });

  it('a second failure of the same kind is not reported again, and retries later', () => {
    const m = polling();
    m.fire('main'); // no reply
    m.fire('main'); // a new frame
    m.loaded();
    const effects = m.fire('main'); // no reply again
    expect(emitted(effects, 'unavailable')).toEqual([]);
    expect(broadcasts(effects)).toEqual([]);
    expect(ofType(effects, 'setTimer')).toEqual([expect.objectContaining({ timer: 'main', ms: 2000 })]);
  });

  it('the leader tells the other tabs what its `unavailable` said; a tab with nobody signed in does not', () => {
    const m = polling();
    expect(broadcasts(m.fire('main'))).toEqual([{ type: 'unavailable', sub: 'alice', reason: 'no-reply', detail: expect.any(String), retrying: true }]);
    const nobody = new Monitor();
    nobody.start();
    expect(broadcasts(nobody.read(null))).toEqual([]);
  });

  it('the leader answers hello with `retrying: false` after an outage it does not retry', () => {
    const m = polling({ coordinated: true, config: { onErrorStatus: 'stop' } });
    m.reply('error');
    expect(broadcasts(m.tab({ type: 'hello', sub: 'alice' }))).toEqual([{ type: 'unavailable', sub: 'alice', reason: 'error-status', detail: expect.any(String), retrying: false }]);
  });

  it('a follower\'s own conclusions are not told to the other tabs', () => {
    const m = follower();
    const renewalFailed = () => m.renewalFailed(true);
    renewalFailed();
    m.fire('recheck');
    renewalFailed();
    const effects = m.fire('recheck');
    expect(emitted(effects, 'unavailable')).toEqual([expect.objectContaining({ reason: 'third-party-cookies-blocked' })]);
    expect(broadcasts(effects)).toEqual([]);
  });

  it('each new reason of an outage is reported', () => {
    const m = polling();
    expect(emitted(m.fire('main'), 'unavailable')).toEqual([expect.objectContaining({ reason: 'no-reply' })]);
    m.fire('main');
    expect(emitted(m.fire('main'), 'unavailable')).toEqual([expect.objectContaining({ reason: 'frame-timeout' })]);
  });

  it('a move back to unavailable for the same reason is reported again', () => {
    const m = polling({ crossSite: true, cookies: 'blocked' });
    m.reply('changed');
    m.renewalFailed(true);
    const effects = m.settle({ kind: 'signedOut', error: 'login_required' });
    expect(states(effects)).toEqual(['monitoring', 'unavailable']);
    expect(emitted(effects, 'unavailable')).toEqual([expect.objectContaining({ reason: 'third-party-cookies-blocked' })]);
  });

  it('a session read that failed and then finds nobody is reported again, now for good', () => {
    const m = new Monitor();
    m.start();
    m.send({ type: 'sessionReadFailed', token: m.core.reading, detail: 'x' });
    m.fire('main');
    expect(emitted(m.read(null), 'unavailable')).toEqual([expect.objectContaining({ reason: 'not-signed-in', retrying: false })]);
  });

  it('paused, a session read that fails leaves the tab paused', () => {
    const m = monitoring();
    m.send({ type: 'suspend' });
    m.send({ type: 'wake' });
    expect(m.send({ type: 'sessionReadFailed', token: m.core.reading, detail: 'x' })).toEqual([]);
    expect(m.core.phase).toBe('paused');
  });

  it('a signed-out tab is not suspended', () => {
    const m = monitoring();
    m.send({ type: 'signOut', reason: 'logout' });
    expect(m.send({ type: 'suspend' })).toEqual([]);
  });

  it('a renewal failure is reported and asks the OP with prompt=none, from any tab', () => {
    const m = follower();
    const error = new OidcSessionMonitorError(ErrorCode.RecheckFailed, 'renewal');
    const effects = m.send({ type: 'renewalFailed', error, crossSite: false });
    expect(emitted(effects, 'error')).toEqual([{ error }]);
    expect(ofType(effects, 'recheck')).toHaveLength(1);
  });

  it('a renewal failure of an anonymous, paused or signed-out tab does nothing', () => {
    const error = new OidcSessionMonitorError(ErrorCode.RecheckFailed, 'renewal');
    const anonymous = anonymousPolling();
    expect(anonymous.send({ type: 'renewalFailed', error, crossSite: false })).toEqual([]);
    const paused = monitoring();
    paused.send({ type: 'suspend' });
    expect(paused.send({ type: 'renewalFailed', error, crossSite: false })).toEqual([]);
    const out = monitoring();
    out.send({ type: 'signOut', reason: 'logout' });
    expect(out.send({ type: 'renewalFailed', error, crossSite: false })).toEqual([]);
    const nobody = new Monitor();
    nobody.start();
    nobody.read(null);
    expect(nobody.send({ type: 'renewalFailed', error, crossSite: false })).toEqual([]);
  });

  it('a tab that knows the OP iframe\'s site keeps it over the caller\'s guess after a renewal failure', () => {
    const m = polling();
    m.renewalFailed(true);
    expect(ofType(m.settle({ kind: 'signedOut', error: 'login_required' }), 'signOut')).toHaveLength(1);
  });

  it('suspended for a logout navigation: nothing left running, the tab watches nobody, messages and sign-outs other than logout wait', () => {
    const m = monitoring({ config: { keepAlive: 10_000 } });
    const frame = m.core.frame;
    const effects = m.send({ type: 'suspend' });
    expect(states(effects)).toEqual(['paused']);
    expect(ofType(effects, 'watch')).toEqual([{ type: 'watch', sub: undefined }]);
    expect(effects).toContainEqual({ type: 'disposeFrame', frame });
    expect(m.core.timers).toEqual({});
    expect(m.send({ type: 'suspend' })).toEqual([]);
    expect(m.tab({ type: 'signedOut', reason: 'login_required', sub: 'alice' })).toEqual([]);
    expect(m.send({ type: 'signOut', reason: 'front-channel' })).toEqual([]);
    expect(ofType(m.send({ type: 'signOut', reason: 'logout' }), 'signOut')).toEqual([{ type: 'signOut', reason: 'logout', sub: 'alice' }]);
  });

  it('paused and anonymous, a logout ends it; not paused, an anonymous monitor has nobody to sign out', () => {
    const m = anonymousPolling();
    expect(m.send({ type: 'signOut', reason: 'logout' })).toEqual([]);
    m.send({ type: 'suspend' });
    const effects = m.send({ type: 'signOut', reason: 'logout' });
    expect(ofType(effects, 'signOut')).toEqual([{ type: 'signOut', reason: 'logout' }]);
    expect(states(effects)).toEqual(['signedOut']);
    const nobody = new Monitor();
    nobody.start();
    nobody.read(null);
    nobody.send({ type: 'suspend' });
    expect(states(nobody.send({ type: 'signOut', reason: 'front-channel' }))).toEqual([]);
  });

  it('resumed after a logout that did not leave: reads the session again', () => {
    const m = monitoring();
    expect(m.send({ type: 'resume' })).toEqual([]);
    m.send({ type: 'suspend' });
    const effects = m.send({ type: 'resume' });
    expect(states(effects)).toEqual(['starting']);
    expect(ofType(effects, 'readSession')).toHaveLength(1);
    expect(m.core.session).toBeUndefined();
  });

  it('a suspended tab ignores late answers of what it started', () => {
    const m = new Monitor();
    m.start();
    m.read(ALICE);
    const resolving = m.core.resolving;
    m.send({ type: 'suspend' });
    expect(m.send({ type: 'frameUrlResolved', token: resolving, url: URL, crossSite: false })).toEqual([]);
  });

  it('after a sign-out, an anonymous monitor watches again; a monitor that is not anonymous stays signed out', () => {
    const m = new Monitor({ anonymous: true });
    m.start();
    m.read(ALICE);
    expect(m.send({ type: 'signedOutLocally' })).toEqual([]);
    m.send({ type: 'signOut', reason: 'logout' });
    const effects = m.send({ type: 'signedOutLocally' });
    expect(states(effects)).toEqual(['starting']);
    expect(ofType(effects, 'readSession')).toHaveLength(1);
    const plain = monitoring();
    plain.send({ type: 'signOut', reason: 'logout' });
    expect(plain.send({ type: 'signedOutLocally' })).toEqual([]);
  });

  it('stop ends everything: the frame, the timers, the watch; then nothing more happens', () => {
    const m = monitoring({ config: { keepAlive: 10_000 } });
    const frame = m.core.frame;
    const effects = m.send({ type: 'stop' });
    expect(states(effects)).toEqual(['stopped']);
    expect(effects).toContainEqual({ type: 'disposeFrame', frame });
    expect(ofType(effects, 'watch')).toEqual([{ type: 'watch', sub: undefined }]);
    expect(m.core.timers).toEqual({});
    expect(m.send({ type: 'wake' })).toEqual([]);
  });

  it('a signed-out tab ignores late answers and timers', () => {
    const m = polling();
    m.reply('changed');
    const id = m.core.recheck!.id;
    m.send({ type: 'signOut', reason: 'logout' });
    expect(m.send({ type: 'recheckSettled', id, result: { kind: 'authenticated', sub: 'alice', session_state: 's2' } })).toEqual([]);
  });
});

describe('the helpers: timers, frames, leadership, sign-out', () => {
  it('no state event without a change of state', () => {
    const m = monitoring();
    m.advance(1000).fire('tick');
    m.send({ type: 'visibility', visible: false });
    expect(states(m.reply('unchanged'))).toEqual([]);
  });

  it('a frame that loads while the page is hidden still has its load deadline', () => {
    const m = new Monitor();
    m.start(false, false);
    m.read(ALICE);
    expect(ofType(m.resolve(), 'setTimer')).toEqual([expect.objectContaining({ timer: 'main', ms: 2000 })]);
    expect(m.core.mainAction).toBe('frameTimeout');
  });

  it('hiding the page keeps the frame\'s load deadline', () => {
    const m = new Monitor();
    m.start();
    m.read(ALICE);
    m.resolve();
    const deadline = m.core.timers.main;
    m.send({ type: 'visibility', visible: false });
    expect(m.core.timers.main).toBe(deadline);
    expect(emitted(m.fire('main'), 'unavailable')).toEqual([expect.objectContaining({ reason: 'frame-timeout' })]);
  });

  it('stop without a frame or a re-check asks to remove neither', () => {
    const m = follower();
    const effects = m.send({ type: 'stop' });
    expect(ofType(effects, 'disposeFrame')).toEqual([]);
    expect(ofType(effects, 'abortRecheck')).toEqual([]);
  });

  it('a tab elected before its session is read waits for the read, then for the election for that user', () => {
    const m = new Monitor();
    m.start(true);
    expect(m.send({ type: 'leading', leading: true })).toEqual([]);
    const effects = m.read(ALICE);
    expect(ofType(effects, 'resolveFrameUrl')).toEqual([]);
    expect(broadcasts(effects)).toEqual([{ type: 'hello', sub: 'alice' }]);
    expect(ofType(m.send({ type: 'leading', leading: true }), 'resolveFrameUrl')).toHaveLength(1);
  });

  it('a tab that leads again reloads the frame it knows without a new discovery', () => {
    const m = monitoring({ coordinated: true });
    m.send({ type: 'leading', leading: false });
    const effects = m.send({ type: 'leading', leading: true });
    expect(ofType(effects, 'resolveFrameUrl')).toEqual([]);
    expect(ofType(effects, 'createFrame')).toEqual([expect.objectContaining({ url: URL })]);
  });

  it('a tab that stops leading ignores the frame URL it had asked for, and asks again when it leads', () => {
    const m = new Monitor();
    m.start(true);
    m.read(ALICE);
    m.send({ type: 'leading', leading: true });
    const resolving = m.core.resolving;
    m.send({ type: 'leading', leading: false });
    expect(m.send({ type: 'frameUrlResolved', token: resolving, url: URL, crossSite: false })).toEqual([]);
    expect(ofType(m.send({ type: 'leading', leading: true }), 'resolveFrameUrl')).toHaveLength(1);
  });

  it('a session read that was out when a logout navigation began is ignored', () => {
    const m = new Monitor();
    m.start();
    const reading = m.core.reading;
    m.send({ type: 'suspend' });
    expect(m.send({ type: 'sessionRead', token: reading, session: null })).toEqual([]);
    expect(m.core.phase).toBe('paused');
  });

  it('a read that finds nobody again says nothing new about whom the tab watches', () => {
    const m = new Monitor();
    m.start();
    m.send({ type: 'sessionReadFailed', token: m.core.reading, detail: 'x' });
    m.fire('main');
    expect(ofType(m.read(null), 'watch')).toEqual([{ type: 'watch', sub: undefined }]);
    expect(ofType(m.send({ type: 'suspend' }), 'watch')).toEqual([]);
    m.send({ type: 'resume' });
    expect(ofType(m.read(null), 'watch')).toEqual([]);
  });

  it('watching by re-check an OP without session_state, a block is reported but not remembered (it has no key)', () => {
    const m = new Monitor({ mode: 'recheck' });
    m.start();
    m.read({ sub: 'alice', session_state: '' });
    m.resolve(null, true);
    const effects = m.settle({ kind: 'signedOut', error: 'login_required' });
    expect(emitted(effects, 'unavailable')).toEqual([expect.objectContaining({ reason: 'third-party-cookies-blocked' })]);
    expect(ofType(effects, 'rememberCookies')).toEqual([]);
  });

  it('a renewal failure during a re-check is answered by that re-check', () => {
    const m = polling();
    m.reply('changed');
    expect(ofType(m.renewalFailed(), 'recheck')).toEqual([]);
  });

  it('a re-check stops the tick and any pending retry: nothing polls while it runs', () => {
    const m = monitoring({ config: { keepAlive: 10_000 } });
    const tick = m.core.timers.tick!;
    m.advance(10_000);
    expect(m.fire('keepAlive')).toContainEqual({ type: 'clearTimer', timer: 'tick', token: tick });
    expect(m.core.timers.tick).toBeUndefined();
    const out = polling();
    out.reply('error');
    const retry = out.core.timers.main!;
    const effects = out.renewalFailed();
    expect(effects).toContainEqual({ type: 'clearTimer', timer: 'main', token: retry });
    expect(out.core.mainAction).toBeUndefined();
  });

  // Found while pinning startRecheck (#26): a renewal failure while the OP frame loads replaced the frame's load
  // deadline with its re-check, and the poll after it found the frame not ready and left no timer at all — a frame that
  // never loaded kept the monitor `monitoring` for good.
  it('a renewal failure while the OP frame loads keeps the frame\'s deadline: a frame that never loads still times out', () => {
    const m = new Monitor();
    m.start();
    m.read(ALICE);
    m.resolve();
    const frame = m.core.frame;
    const deadline = m.core.timers.main;
    m.renewalFailed();
    expect(m.core.timers.main).toBe(deadline);
    m.refreshedTo(ALICE.session_state);
    expect(m.core.timers.main).toBe(deadline);
    const effects = m.fire('main');
    expect(ofType(effects, 'disposeFrame')).toEqual([expect.objectContaining({ frame })]);
    expect(emitted(effects, 'unavailable')).toEqual([expect.objectContaining({ reason: 'frame-timeout', retrying: true })]);
    // A frame that loads during the re-check is polled after it …
    const during = new Monitor();
    during.start();
    during.read(ALICE);
    during.resolve();
    during.renewalFailed();
    expect(posts(during.loaded())).toEqual([]);
    during.refreshedTo(ALICE.session_state);
    expect(posts(during.fire('main'))).toHaveLength(1);
    // … and one that loads after it, at once.
    const late = new Monitor();
    late.start();
    late.read(ALICE);
    late.resolve();
    late.renewalFailed();
    late.refreshedTo(ALICE.session_state);
    expect(posts(late.loaded())).toHaveLength(1);
  });

  it('a renewal failure on a hidden page while the OP frame loads keeps the frame\'s deadline (a deadline of what is in flight)', () => {
    const m = new Monitor();
    m.start(false, false);
    m.read(ALICE);
    m.resolve();
    const deadline = m.core.timers.main;
    expect(deadline).toBeDefined();
    m.renewalFailed();
    m.refreshedTo(ALICE.session_state);
    expect(m.core.timers.main).toBe(deadline);
    expect(emitted(m.fire('main'), 'unavailable')).toEqual([expect.objectContaining({ reason: 'frame-timeout' })]);
  });

  it('a frame retry that came due during a re-check is still due after it: the re-check\'s outcome does not replace it with a poll', () => {
    // A re-check started while the frame loaded, then the frame's deadline fired and a new frame began loading during
    // it: the re-check's outcome times the new frame, instead of waiting for a poll it cannot send.
    const m = new Monitor();
    m.start();
    m.read(ALICE);
    m.resolve();
    m.renewalFailed();
    m.fire('main'); // frame-timeout during the re-check
    m.fire('main'); // its retry loads a new frame
    const frame = m.core.frame;
    m.fire('main'); // that frame's deadline too: a third frame is due
    expect(m.core.mainAction).toBe('loadFrame');
    m.refreshedTo(ALICE.session_state);
    expect(m.core.mainAction).toBe('loadFrame');
    expect(ofType(m.fire('main'), 'createFrame')).toHaveLength(1);
    expect(m.core.frame).not.toBe(frame);
  });

  it('a renewal failure does not drop a pending frame reload (the iframe stopped answering): after the re-check the frame is loaded again', () => {
    const m = monitoring();
    m.advance(1000);
    m.fire('tick');
    m.advance(1000);
    m.fire('tick'); // no answer: the frame is dropped, a reload is due
    expect(m.core.mainAction).toBe('loadFrame');
    m.renewalFailed();
    expect(m.core.mainAction).toBe('loadFrame');
    m.refreshedTo('s2');
    expect(m.core.mainAction).toBe('loadFrame');
    expect(ofType(m.fire('main'), 'createFrame')).toHaveLength(1);
  });

  it('a renewal failure does not drop a pending discovery retry: after the re-check the frame URL is still looked for', () => {
    const m = new Monitor();
    m.start();
    m.read(ALICE);
    m.frameUrlFailed('discovery-failed');
    expect(m.core.mainAction).toBe('resolveFrameUrl');
    m.renewalFailed();
    m.refreshedTo(ALICE.session_state);
    expect(m.core.mainAction).toBe('resolveFrameUrl');
    expect(ofType(m.fire('main'), 'resolveFrameUrl')).toHaveLength(1);
  });

  it('a renewal re-check answered by the OP does not claim monitoring for a tab that cannot watch (invalid metadata)', () => {
    const m = new Monitor();
    m.start();
    m.read(ALICE);
    m.frameUrlFailed('invalid-metadata', 'bad issuer');
    m.renewalFailed();
    const effects = m.refreshedTo('s2');
    // The session is renewed and stored …
    expect(emitted(effects, 'refreshed')).toEqual([{ sub: 'alice', session_state: 's2', previous_session_state: 's1' }]);
    expect(ofType(effects, 'accept')).toHaveLength(1);
    // … but nothing watches it: still unavailable, nothing polled, no timer left behind.
    expect(states(effects)).toEqual(['unavailable']);
    expect(broadcasts(effects).filter((b) => b.type === 'monitoring')).toEqual([]);
    expect(m.core.unavailableReason).toBe('invalid-metadata');
    expect(m.core.timers).toEqual({});
  });

  it('a follower mirroring its poller\'s outage stays unavailable after its own renewal re-check', () => {
    const m = follower();
    m.tab({ type: 'unavailable', sub: 'alice', reason: 'no-reply', detail: 'x', retrying: true });
    m.renewalFailed();
    const effects = m.refreshedTo('s2');
    expect(emitted(effects, 'refreshed')).toHaveLength(1);
    expect(m.core.phase).toBe('unavailable');
    // Its poller's word still counts.
    m.tab({ type: 'monitoring', sub: 'alice' });
    expect(m.core.phase).toBe('monitoring');
  });

  it('watching by re-check, a renewal re-check the OP answers is itself a check: the tab monitors again', () => {
    // Across sites, the first check's sign-out answer could not be believed: blocked cookies, checks ended.
    const m = new Monitor({ mode: 'recheck' });
    m.start();
    m.read(ALICE);
    m.resolve(URL, true);
    m.settle({ kind: 'signedOut', error: 'login_required' });
    expect(m.core.unavailableReason).toBe('third-party-cookies-blocked');
    m.renewalFailed(true);
    // The OP authenticated the user in a prompt=none: its cookies reach its frames after all.
    expect(states(m.refreshedTo('s2'))).toEqual(['monitoring']);
    expect(m.core.cookies).toBe('visible');
  });

  it('a renewal failure while the first poll is out replaces that poll: after the re-check the tab polls again', () => {
    const m = polling();
    expect(m.core.timers.tick).toBeUndefined();
    m.renewalFailed();
    // The old poll's answer no longer counts.
    expect(m.reply('changed')).toEqual([]);
    m.refreshedTo(ALICE.session_state);
    expect(posts(m.fire('main'))).toHaveLength(1);
  });

  it('a re-check times out after recheckTimeout', () => {
    const m = polling();
    expect(ofType(m.reply('changed'), 'setTimer')).toEqual([expect.objectContaining({ timer: 'recheck', ms: 3000 })]);
  });

  it('a sign-out removes the frame once, after the app heard, forgets the user, and says the tab watches nobody', () => {
    const m = monitoring();
    const effects = m.send({ type: 'signOut', reason: 'idle' });
    expect(ofType(effects, 'disposeFrame')).toHaveLength(1);
    expect(ofType(effects, 'watch')).toEqual([{ type: 'watch', sub: undefined }]);
    expect(m.core.session).toBeUndefined();
  });

  it('an anonymous tab mirrors nothing from other tabs', () => {
    const m = new Monitor({ anonymous: true });
    m.start(true);
    m.read(null);
    expect(m.tab({ type: 'unavailable', sub: '', reason: 'no-reply', detail: 'd', retrying: true })).toEqual([]);
    expect(m.tab({ type: 'monitoring', sub: '' })).toEqual([]);
  });

  it('a new leader still showing the old poller\'s outage does not answer hello with it', () => {
    const m = follower();
    m.tab({ type: 'unavailable', sub: 'alice', reason: 'no-reply', detail: 'd', retrying: true });
    m.send({ type: 'leading', leading: true });
    expect(m.tab({ type: 'hello', sub: 'alice' })).toEqual([]);
  });
});

describe('timers left behind', () => {
  it('onErrorStatus "stop": the error answer during steady polling leaves no frame and no timer, and nothing polls again', () => {
    const m = monitoring({ config: { onErrorStatus: 'stop' } });
    m.advance(1000);
    m.fire('tick');
    const effects = m.reply('error');
    expect(ofType(effects, 'disposeFrame')).toHaveLength(1);
    expect(emitted(effects, 'unavailable')).toEqual([{ reason: 'error-status', detail: 'OP iframe answered "error"', retrying: false }]);
    expect(emitted(effects, 'unavailable')[0]).not.toHaveProperty('retryInMs');
    expect(m.core.timers).toEqual({});
    expect(posts(m.advance(60_000).send({ type: 'wake' }))).toEqual([]);
  });

  it('a poll out, or a re-check out, always has a deadline: the tick or the reply deadline, the re-check timer', () => {
    const m = polling();
    expect(m.core.mainAction).toBe('deadline');
    expect(m.core.timers.main).toBeDefined();
    m.reply('unchanged');
    m.advance(1000);
    m.fire('tick');
    expect(m.state.poll.pollInFlight).toBe(true);
    expect(m.core.timers.tick).toBeDefined();
    // Hidden, the poll out keeps its deadline (the tick), and the re-check its timer.
    m.send({ type: 'visibility', visible: false });
    expect(m.core.timers.tick).toBeDefined();
    const d = polling();
    d.send({ type: 'visibility', visible: false });
    expect(d.core.mainAction).toBe('deadline');
    expect(d.core.timers.main).toBeDefined();
    expect(emitted(d.fire('main'), 'unavailable')).toEqual([expect.objectContaining({ reason: 'no-reply' })]);
    const r = polling();
    r.reply('changed');
    r.send({ type: 'visibility', visible: false });
    expect(r.core.timers.recheck).toBeDefined();
  });
});

describe('outages: what a next step and a new tab see', () => {
  it('an `error` answer on a hidden page parks its retry with no timer: the reply deadline goes with it', () => {
    const m = polling();
    m.send({ type: 'visibility', visible: false });
    expect(m.core.timers.main).toBeDefined();
    m.reply('error');
    expect(m.core.mainAction).toBe('poll');
    expect(m.core.timers).toEqual({});
    // Shown again, the retry is taken.
    expect(posts(m.send({ type: 'visibility', visible: true }))).toEqual(['client s1']);
  });

  it('a new tab hears an outage as the leader reported it first, not as its repeats', () => {
    const m = new Monitor();
    m.start();
    m.read(ALICE);
    m.frameUrlFailed('discovery-failed');
    m.fire('main');
    const repeat = m.frameUrlFailed('discovery-failed', 'DNS failure');
    expect(emitted(repeat, 'unavailable')).toEqual([]);
    expect(broadcasts(m.tab({ type: 'hello', sub: 'alice' }))).toEqual([{ type: 'unavailable', sub: 'alice', reason: 'discovery-failed', detail: 'offline', retrying: true }]);
  });
});

describe('after an outage', () => {
  it('an iframe that answers again (`changed`), then a re-check that refreshes the session: monitoring again, and the other tabs told', () => {
    const m = polling();
    m.reply('error');
    expect(m.core.phase).toBe('unavailable');
    m.fire('main');
    m.reply('changed');
    const effects = m.refreshedTo('s2');
    expect(states(effects)).toEqual(['monitoring']);
    expect(broadcasts(effects)).toContainEqual({ type: 'monitoring', sub: 'alice' });
    expect(m.core.unavailableReason).toBeUndefined();
  });
});

describe('more decisions a user sees', () => {
  it('a follower signed out by another tab disposes no frame (it has none)', () => {
    const f = follower();
    const effects = f.tab({ type: 'signedOut', sub: 'alice', reason: 'login_required' });
    expect(ofType(effects, 'signOut')).toHaveLength(1);
    expect(ofType(effects, 'disposeFrame')).toEqual([]);
  });

  it('keep-alive off: no keep-alive timer ever; on: none for a paused tab shown again', () => {
    const m = monitoring();
    expect(m.core.timers.keepAlive).toBeUndefined();
    m.send({ type: 'visibility', visible: false });
    m.send({ type: 'visibility', visible: true });
    expect(m.core.timers.keepAlive).toBeUndefined();
    const p = monitoring({ config: { keepAlive: 10_000 } });
    p.send({ type: 'suspend' });
    p.send({ type: 'visibility', visible: false });
    p.send({ type: 'visibility', visible: true });
    expect(p.core.phase).toBe('paused');
    expect(p.core.timers.keepAlive).toBeUndefined();
  });

  it('a leader that recovered from an outage answers hello with `monitoring`, not with the outage it had', () => {
    const m = polling();
    m.reply('error');
    m.fire('main');
    m.reply('unchanged');
    expect(m.core.lastUnavailable).toBeDefined();
    expect(broadcasts(m.tab({ type: 'hello', sub: 'alice' }))).toEqual([{ type: 'monitoring', sub: 'alice' }]);
  });

  it('anonymous, with no session_state known (no last one, none from a sign-out): the first check is a prompt=none that learns one', () => {
    const m = new Monitor({ anonymous: true });
    m.start();
    m.read(null);
    m.resolve();
    const effects = m.loaded();
    expect(posts(effects)).toEqual([]);
    expect(ofType(effects, 'recheck')).toEqual([expect.objectContaining({ context: { session_state: '', sub: '' } })]);
  });

  it('a timer that fires after it was replaced (a race in the page) does nothing: the retry now due waits for its own timer', () => {
    const m = polling();
    const deadline = m.core.timers.main!;
    m.reply('error');
    expect(m.core.mainAction).toBe('poll');
    expect(m.core.timers.main).not.toBe(deadline);
    const before = m.state;
    expect(m.send({ type: 'timer', timer: 'main', token: deadline })).toEqual([]);
    expect(m.state).toEqual(before);
  });

  it('the tick at the very instant of the last poll neither polls again nor times that poll out', () => {
    const m = monitoring();
    m.advance(1000);
    m.fire('tick');
    expect(m.state.poll.pollInFlight).toBe(true);
    // A tick at the instant the poll went out (checkNow then the tick, in the same millisecond): the poll stays out.
    expect(m.fire('tick')).toEqual([]);
    m.reply('unchanged');
    // And once it is answered, a tick in that same millisecond sends nothing.
    expect(posts(m.fire('tick'))).toEqual([]);
  });
});

describe('inputs that must change nothing, or only what they say', () => {
  it('a re-check that returns garbage is reported as such (no usable result), never as a sign-out', () => {
    const m = polling();
    m.reply('changed');
    const effects = m.settle({ kind: 'authenticated' });
    expect(emitted(effects, 'error')).toEqual([{ error: expect.objectContaining({ code: ErrorCode.RecheckFailed, message: expect.stringContaining('no RecheckResult') }) }]);
    expect(ofType(effects, 'signOut')).toEqual([]);
  });

  it('a re-check answer that is no sign-out the SDK knows (another error, an unknown kind) is unknown, never a sign-out', () => {
    for (const result of [{ kind: 'signedOut', error: 'temporarily_unavailable' }, { kind: 'signedOut' }, { kind: 'loggedOut', error: 'login_required' }, null, 'login_required']) {
      const m = polling();
      m.reply('changed');
      const effects = m.settle(result);
      expect(ofType(effects, 'signOut'), JSON.stringify(result)).toEqual([]);
      expect(emitted(effects, 'error')).toEqual([{ error: expect.objectContaining({ code: ErrorCode.RecheckFailed }) }]);
      expect(m.core.session?.sub).toBe('alice');
    }
  });

  it('a follower already unavailable mirrors its poller\'s next outage when the reason changes, and only then', () => {
    const f = follower();
    f.tab({ type: 'unavailable', sub: 'alice', reason: 'no-reply', detail: 'x', retrying: true });
    expect(emitted(f.tab({ type: 'unavailable', sub: 'alice', reason: 'no-reply', detail: 'again', retrying: true }), 'unavailable')).toEqual([]);
    const effects = f.tab({ type: 'unavailable', sub: 'alice', reason: 'error-status', detail: 'y', retrying: true });
    expect(emitted(effects, 'unavailable')).toEqual([{ reason: 'error-status', detail: 'y', retrying: true }]);
    expect(f.core.unavailableReason).toBe('error-status');
  });

  it('a second start changes nothing', () => {
    const m = new Monitor();
    m.start();
    const before = m.state;
    expect(m.start()).toEqual([]);
    expect(m.state).toEqual(before);
    m.read(ALICE);
    expect(m.start()).toEqual([]);
  });

  it('a logout that starts after the tab was signed out, or again while one is under way, changes nothing', () => {
    const m = polling();
    m.reply('changed');
    m.settle({ kind: 'signedOut', error: 'login_required' });
    expect(m.core.phase).toBe('signedOut');
    const before = m.state;
    expect(m.send({ type: 'suspend' })).toEqual([]);
    expect(m.state).toEqual(before);
    const p = monitoring();
    p.send({ type: 'suspend' });
    const paused = p.state;
    expect(p.send({ type: 'suspend' })).toEqual([]);
    expect(p.state).toEqual(paused);
  });

  it('a follower that mirrors its poller\'s refresh tells the other tabs nothing (the poller did)', () => {
    const f = follower();
    expect(f.core.phase).toBe('starting');
    const effects = f.tab({ type: 'refreshed', sub: 'alice', session_state: 's2', previous_session_state: 's1' });
    expect(states(effects)).toEqual(['monitoring']);
    expect(broadcasts(effects)).toEqual([]);
  });

  it('across sites, a logout that did not leave the page reads the session again without inventing blocked cookies', () => {
    for (const back of ['resume', 'wake'] as const) {
      const m = polling({ crossSite: true });
      m.reply('unchanged');
      m.send({ type: 'suspend' });
      // The app says the logout did not happen (resume), or the page is used again while paused (wake).
      m.send({ type: back });
      m.read(ALICE);
      m.loaded();
      expect(ofType(m.reply('changed'), 'recheck'), back).toHaveLength(1);
    }
  });

  it('being told again that it leads (or follows) changes nothing', () => {
    const m = polling({ coordinated: true });
    m.reply('unchanged');
    const before = m.state;
    expect(m.send({ type: 'leading', leading: true })).toEqual([]);
    expect(m.state).toEqual(before);
    const f = follower();
    const still = f.state;
    expect(f.send({ type: 'leading', leading: false })).toEqual([]);
    expect(f.state).toEqual(still);
  });

  it('a leader that loses leadership keeps the outage it reported until its new poller says otherwise; one that was re-checking monitors', () => {
    const m = polling({ coordinated: true });
    m.reply('error');
    expect(states(m.send({ type: 'leading', leading: false }))).toEqual([]);
    expect(m.core.phase).toBe('unavailable');
    const r = polling({ coordinated: true });
    r.reply('changed');
    expect(states(r.send({ type: 'leading', leading: false }))).toEqual(['monitoring']);
  });

  it('a sign-out signal for an anonymous monitor (nobody signed in) changes nothing; only a paused logout ends it', () => {
    for (const reason of ['front-channel', 'other-tab', 'idle', 'logout'] as const) {
      const m = anonymousPolling();
      expect(m.send({ type: 'signOut', reason })).toEqual([]);
      expect(m.core.phase).not.toBe('signedOut');
    }
  });

  it('checkNow while a poll is out neither times it out nor sends another', () => {
    const m = polling();
    const before = m.state;
    expect(m.send({ type: 'wake' })).toEqual([]);
    expect(m.state).toEqual(before);
  });

  it('a wake during the wait before a discovery retry runs the retry once: its timer goes with it', () => {
    const m = new Monitor();
    m.start();
    m.read(ALICE);
    m.frameUrlFailed('discovery-failed');
    const effects = m.send({ type: 'wake' });
    expect(ofType(effects, 'resolveFrameUrl')).toHaveLength(1);
    expect(m.core.timers.main).toBeUndefined();
  });
});

describe('begin', () => {
  it('a follower that reads its session asks for no discovery and no frame: its poller watches for it', () => {
    const f = follower();
    expect(f.effects.filter((e) => e.type === 'resolveFrameUrl' || e.type === 'createFrame' || e.type === 'recheck')).toEqual([]);
  });

  it('a paused tab (a logout under way) elected to lead starts nothing', () => {
    const m = new Monitor();
    m.start(true);
    m.read(ALICE);
    m.send({ type: 'suspend' });
    expect(m.core.phase).toBe('paused');
    expect(m.core.leading).toBe(false);
    expect(m.send({ type: 'leading', leading: true })).toEqual([]);
  });
});

describe('a poll out replaced by a next step', () => {
  it('a renewal failure held back by the loop guard drops the poll out with its deadline: polling resumes after the pause, and a late answer is ignored', () => {
    const m = polling({ config: { maxRechecks: 1 } });
    m.reply('changed');
    m.refreshedTo('s2');
    m.fire('main');
    expect(m.state.poll.pollInFlight).toBe(true);
    const effects = m.renewalFailed();
    expect(emitted(effects, 'unavailable')).toEqual([expect.objectContaining({ reason: 'loop-guard', retrying: true })]);
    expect(m.state.poll.pollInFlight).toBe(false);
    expect(m.reply('unchanged')).toEqual([]);
    m.advance(60_000);
    expect(posts(m.fire('main'))).toEqual(['client s2']);
  });
});

describe('backToMonitoring', () => {
  it('an `unchanged` answer to a tab that monitors already tells the other tabs nothing (not even the first one for a refreshed session_state)', () => {
    const m = monitoring();
    m.advance(1000);
    m.fire('tick');
    m.reply('changed');
    m.refreshedTo('s2');
    m.fire('main');
    expect(m.core.phase).toBe('monitoring');
    expect(m.core.firstPoll).toBe(true);
    expect(broadcasts(m.reply('unchanged'))).toEqual([]);
  });

  it('a leader back from an outage tells the other tabs it monitors again', () => {
    const m = polling();
    m.fire('main'); // no reply: the frame is replaced
    m.fire('main');
    m.loaded();
    expect(broadcasts(m.reply('unchanged'))).toEqual([{ type: 'monitoring', sub: 'alice' }]);
  });
});

describe('steadyPoll', () => {
  // The shortcut answers only where the loop is steady; everywhere else the full transition decides. The states below
  // are steady but for one field each, some of which no input sequence reaches today: the shortcut must step aside
  // for each of them on its own, not lean on the rest of the machine never getting there.
  const perturbations: Array<[string, Partial<CoreState>]> = [
    ['not monitoring', { phase: 'unavailable' }],
    ['not leading', { leading: false }],
    ['hidden', { visible: false }],
    ['the frame not loaded', { frameReady: false }],
    ['a next step waiting', { mainAction: 'poll' }],
    ['a main timer', { timers: { tick: 1, main: 2 } }],
    ['no tick', { timers: {} }],
    ['no session_state', { session: { sub: 'alice', session_state: '' } }],
    ['the first answer for a session_state', { firstPoll: true }],
    ['cookies not shown', { cookies: 'unknown' }],
    ['failures', { failures: 1 }],
    ['an error streak', { errorStreak: 1 }],
    ['a strike', { strikes: 1 }],
    ['an outage reason', { unavailableReason: 'no-reply' }],
    ['a re-check', { recheck: { id: 9, keepAlive: false, renewal: false } }],
  ];

  function steady(inFlight: boolean): MachineState {
    const m = monitoring();
    m.advance(1000);
    if (inFlight) m.fire('tick');
    return m.state;
  }

  it.each(perturbations)('steps aside with %s', (_name, change) => {
    for (const inFlight of [true, false]) {
      const base = steady(inFlight);
      const state: MachineState = { core: { ...base.core, timers: { tick: base.core.timers.tick }, ...change }, poll: base.poll };
      const env = { now: 1_003_000, random: 0.5 };
      const inputs: MonitorInput[] = inFlight
        ? [{ type: 'reply', frame: state.core.frame, status: 'unchanged' }]
        : [{ type: 'timer', timer: 'tick', token: state.core.timers.tick ?? 1 }, { type: 'wake' }];
      for (const input of inputs) expect(transition(state, input, env)).toStrictEqual(fullTransition(state, input, env));
    }
  });

  it('answers the tick only once half an interval has passed (or the clock went back), and only the current tick', () => {
    const base = steady(false);
    const polledAt = base.poll.polledAt;
    const tick = base.core.timers.tick!;
    for (const [now, token] of [
      [polledAt, tick],
      [polledAt + 499, tick],
      [polledAt + 500, tick],
      [polledAt - 1, tick],
      [polledAt + 1000, tick + 100],
    ] as const) {
      const input: MonitorInput = { type: 'timer', timer: 'tick', token };
      expect(transition(base, input, { now, random: 0.5 })).toStrictEqual(fullTransition(base, input, { now, random: 0.5 }));
    }
    const keepAlive: MonitorInput = { type: 'timer', timer: 'keepAlive', token: tick };
    expect(transition(base, keepAlive, { now: polledAt + 1000, random: 0.5 })).toStrictEqual(fullTransition(base, keepAlive, { now: polledAt + 1000, random: 0.5 }));
  });

  it('takes the shortcut for every steady input (the tick from half an interval on or after the clock went back, a wake, the `unchanged` answer), so steady polling never pays for a full transition', () => {
    const idle = steady(false);
    const tick: MonitorInput = { type: 'timer', timer: 'tick', token: idle.core.timers.tick! };
    for (const elapsed of [500, 501, 1000, 60_000, -1]) expect(steadyPoll(idle, tick, idle.poll.polledAt + elapsed), `tick after ${elapsed} ms`).toBeDefined();
    expect(steadyPoll(idle, { type: 'wake' }, idle.poll.polledAt + 10)).toBeDefined();
    const inFlight = steady(true);
    expect(steadyPoll(inFlight, { type: 'reply', frame: inFlight.core.frame, status: 'unchanged' }, inFlight.poll.polledAt + 10)).toBeDefined();
    // … and steps aside for a tick that comes too soon, which the full transition skips.
    expect(steadyPoll(idle, tick, idle.poll.polledAt + 499)).toBeUndefined();
  });

  it('a steady answer and a steady poll: the status event, and the poll message to the current frame', () => {
    const base = steady(true);
    const reply = transition(base, { type: 'reply', frame: base.core.frame, status: 'unchanged' }, { now: 1_002_000, random: 0.5 });
    expect(reply.effects).toEqual([{ type: 'emit', event: 'status', payload: { status: 'unchanged', at: 1_002_000 } }]);
    expect(reply.state.poll).toEqual({ pollInFlight: false, polledAt: base.poll.polledAt });
    const idle = steady(false);
    const wake = transition(idle, { type: 'wake' }, { now: 1_005_000, random: 0.5 });
    expect(wake.effects).toEqual([{ type: 'post', frame: idle.core.frame, message: 'client s1' }]);
    expect(wake.state.poll).toEqual({ pollInFlight: true, polledAt: 1_005_000 });
  });
});
