import { ErrorCode, OidcSessionMonitorError } from '../errors.js';
import { SIGNED_OUT_ERRORS } from '../session/constants.js';
import type { TabMessage } from '../tabs/messages.js';
import { backoffDelay } from './backoff.js';
import type {
  CheckSessionStatus,
  ErrorStatusPolicy,
  MonitorEvents,
  MonitorState,
  RecheckContext,
  RecheckResult,
  SessionInfo,
  SignedOutReason,
  UnavailableReason,
  WatchMode,
} from './types.js';

/** Timing and policy of one monitor (all durations in milliseconds), validated by the public entry. */
export interface MonitorConfig {
  interval: number;
  replyTimeout: number;
  frameTimeout: number;
  recheckTimeout: number;
  maxRetryDelay: number;
  onErrorStatus: ErrorStatusPolicy;
  /** At most this many `prompt=none` re-checks … */
  maxRechecks: number;
  /** … within this window; beyond it the loop guard pauses re-checks. */
  recheckWindow: number;
  /** Period of the optional keep-alive `prompt=none` while the page is visible; 0 = off. */
  keepAlive: number;
  /** Keep watching while nobody is signed in, and report `signedIn` when someone signs in at the OP. */
  anonymous: boolean;
  /**
   * How the session is watched: `iframe` only (SM §3.1); `recheck`, only `prompt=none` re-checks; `auto`, the iframe
   * when the OP publishes one and the sign-in has a `session_state`, re-checks otherwise.
   */
  mode: WatchMode;
  /** Watching by re-check: a `prompt=none` this often while the page is visible. */
  recheckInterval: number;
  /** Watching by re-check: never two re-checks closer than this, however often the page is shown or focused. */
  minRecheckInterval: number;
}

/**
 * What this page has seen of the OP iframe's access to the OP's cookies for the current `session_state` (SM §5.1):
 * `visible` once the iframe loaded now answered `unchanged` for it (cookie access is decided when a document loads,
 * and may be lost later, so this never outlives the frame), `blocked` once a sign-out answer could not be believed
 * (remembered across page loads so that a reload does not re-check in vain), `unknown` otherwise.
 */
export type CookieEvidence = 'unknown' | 'visible' | 'blocked';

/**
 * The timers of a monitor. `tick` repeats every `interval` while the OP keeps answering `unchanged`, so a steady
 * poll costs no timer call at all (it also times polls out, when it comes round); `main` is the one-shot
 * next step whenever the loop is not steady (the first poll, a retry, a backoff, a reply deadline).
 */
export type TimerSlot = 'main' | 'tick' | 'recheck' | 'keepAlive';

/**
 * What the `main` timer does when it fires. `deadline` and `frameTimeout` end something in flight; the others are
 * next steps, which a hidden page does not take: they wait, with no timer, until the page is shown.
 */
type MainAction = 'poll' | 'deadline' | 'frameTimeout' | 'loadFrame' | 'resolveFrameUrl' | 'readSession';

/** What happens to a monitor, from the outside world. Results carry the token of the request they answer. */
export type MonitorInput =
  /** `coordinated`: tabs share one poller per user (Web Locks); this tab polls only after `leading: true`. */
  | { type: 'start'; coordinated: boolean; visible: boolean }
  | { type: 'sessionRead'; token: number; session: SessionInfo | null; cookies?: CookieEvidence; lastSessionState?: string }
  | { type: 'sessionReadFailed'; token: number; detail: string }
  | { type: 'frameUrlResolved'; token: number; url: string | undefined; crossSite: boolean }
  | { type: 'frameUrlFailed'; token: number; reason: 'discovery-failed' | 'invalid-metadata'; detail: string }
  | { type: 'frameLoaded'; frame: number }
  | { type: 'reply'; frame: number; status: CheckSessionStatus }
  | { type: 'timer'; timer: TimerSlot; token: number }
  | { type: 'recheckSettled'; id: number; result: unknown }
  | { type: 'recheckFailed'; id: number; error: unknown }
  | { type: 'visibility'; visible: boolean }
  /** `checkNow()`, focus, back online, restored from the back/forward cache. */
  | { type: 'wake' }
  | { type: 'leading'; leading: boolean }
  | { type: 'tab'; message: TabMessage }
  /** The session ended without asking the OP (a matching front-channel request, a local logout). */
  | { type: 'signOut'; reason: 'front-channel' | 'other-tab' | 'logout' | 'idle' }
  /** This tab's token renewal failed: ask the OP with `prompt=none` what that means (a leader or not). */
  | { type: 'renewalFailed'; error: OidcSessionMonitorError; crossSite: boolean }
  /** A logout navigation is in flight: stop everything and let another tab lead. */
  | { type: 'suspend' }
  /** The logout did not leave the page: read the session again and go on. */
  | { type: 'resume' }
  /** The local user was removed and the app told; an anonymous monitor goes on watching. */
  | { type: 'signedOutLocally' }
  | { type: 'stop' };

type Emit = { [E in keyof MonitorEvents]: { type: 'emit'; event: E; payload: MonitorEvents[E] } }[keyof MonitorEvents];

/** What the interpreter must do. The machine never performs anything itself. */
export type MonitorEffect =
  | { type: 'readSession'; token: number }
  | { type: 'resolveFrameUrl'; token: number }
  | { type: 'createFrame'; frame: number; url: string }
  /** Remove frame number `frame` (and only it: a later frame may exist when this runs after an async effect). */
  | { type: 'disposeFrame'; frame: number }
  | { type: 'post'; frame: number; message: string }
  /** `repeat`: fire every `ms` until cleared (the `tick`). */
  | { type: 'setTimer'; timer: TimerSlot; token: number; ms: number; repeat?: boolean }
  /** Cancel the timer set with `token` (and only it). */
  | { type: 'clearTimer'; timer: TimerSlot; token: number }
  | { type: 'recheck'; id: number; context: Omit<RecheckContext, 'signal'> }
  | { type: 'abortRecheck' }
  /**
   * Commit an accepted re-check result to the app's store (nothing is stored before this) — if the store still holds
   * `sub` (`''`: nobody), so that a store shared by tabs that another tab changed meanwhile is left alone.
   */
  | { type: 'accept'; result: Extract<RecheckResult, { kind: 'authenticated' }>; sub: string }
  | Emit
  | { type: 'broadcast'; message: TabMessage }
  /** Remove the local user, then emit `userChanged` (when `userChangedTo`) and `signedOut`, then input `signedOutLocally`. */
  | { type: 'signOut'; reason: SignedOutReason; sub?: string; userChangedTo?: string }
  /** Whose session this tab watches (tabs watching the same `sub` share one poller); `undefined`: none. */
  | { type: 'watch'; sub: string | undefined }
  | { type: 'rememberCookies'; session_state: string; evidence: Exclude<CookieEvidence, 'unknown'> };

/**
 * The whole state of one monitor: plain data, replaced (never mutated) by {@link transition}. It is kept in two
 * parts so that steady polling, which changes only the poll's own fields, copies 2 fields instead of all 34: a
 * monitor polls every few seconds for hours, and in Firefox copying the whole state was most of a poll's cost.
 */
export interface MachineState {
  readonly core: CoreState;
  readonly poll: PollState;
}

/** The poll in progress: all that a steady poll and its answer change. */
export interface PollState {
  readonly pollInFlight: boolean;
  /** When the current (or last) poll was posted. */
  readonly polledAt: number;
}

/** Everything else. */
export interface CoreState {
  readonly config: MonitorConfig;
  readonly clientId: string;
  readonly phase: MonitorState;
  readonly leading: boolean;
  /** Tabs elect one poller per watched `sub`; otherwise this tab always polls. */
  readonly coordinated: boolean;
  /** The session is watched by `prompt=none` re-checks instead of the OP iframe (no iframe, or `mode: 'recheck'`). */
  readonly byRecheck: boolean;
  /** Watching by re-check: when the last re-check of this user's session started, in this tab or the polling one. */
  readonly checkedAt: number | undefined;
  /** Whose session this tab last said it watches (`null`: not said yet). */
  readonly watching: string | undefined | null;
  readonly visible: boolean;
  /** The session this tab watches; `sub` is empty while watching anonymously. */
  readonly session: SessionInfo | undefined;
  readonly anonymous: boolean;
  readonly url: string | undefined;
  readonly crossSite: boolean;
  readonly cookies: CookieEvidence;
  /** Token of the outstanding session read or frame URL resolution (0: none). */
  readonly reading: number;
  readonly resolving: number;
  /** Number of the current frame (0: none) and whether it has loaded. */
  readonly frame: number;
  readonly frameReady: boolean;
  readonly timers: Readonly<Partial<Record<TimerSlot, number>>>;
  readonly mainAction: MainAction | undefined;
  readonly nextToken: number;
  /** The re-check in flight; `renewal`: asked because this tab's token renewal failed, not because of an OP answer. */
  readonly recheck: { id: number; keepAlive: boolean; renewal: boolean } | undefined;
  /** The next answer is the first for the current session_state, which came from a re-check. */
  readonly firstPoll: boolean;
  readonly fromRecheck: boolean;
  /** Cross-site: consecutive "re-check succeeded, next answer is changed again" rounds without cookie evidence. */
  readonly strikes: number;
  readonly failures: number;
  readonly errorStreak: number;
  readonly recheckTimes: readonly number[];
  readonly unavailableReason: UnavailableReason | undefined;
  /** What the last `unavailable` said, for tabs that start following later. */
  readonly lastUnavailable: { detail: string; retrying: boolean } | undefined;
  /** The anonymous session_state a sign-out answer carried, to watch next. */
  readonly nextAnonymousState: string | undefined;
  /** When a wake last ran an outage's pending retry ahead of its backoff (one per period, see {@link wake}). */
  readonly earlyRetryAt: number | undefined;
}

/** The outside facts a transition may use: the time and a random number in [0, 1) for jitter. */
export interface TransitionEnv {
  now: number;
  random: number;
}

export function initialState(clientId: string, config: MonitorConfig): MachineState {
  // Stryker disable BooleanLiteral: each flag is set before any decision reads it: leading, coordinated and visible by start, anonymous by the session read, crossSite with the frame URL (or by a renewal failure without one), firstPoll and fromRecheck with every session
  const core: CoreState = {
    config,
    clientId,
    phase: 'starting',
    leading: false,
    coordinated: false,
    byRecheck: false,
    checkedAt: undefined,
    watching: null,
    visible: true,
    session: undefined,
    anonymous: false,
    url: undefined,
    crossSite: false,
    // Stryker disable next-line StringLiteral: decisions compare the evidence only with 'visible' and 'blocked', so any other word means unknown
    cookies: 'unknown',
    reading: 0,
    resolving: 0,
    frame: 0,
    frameReady: false,
    timers: {},
    mainAction: undefined,
    nextToken: 1,
    recheck: undefined,
    firstPoll: true,
    fromRecheck: false,
    strikes: 0,
    failures: 0,
    errorStreak: 0,
    // Stryker disable next-line ArrayDeclaration: the loop guard counts only times within the window before now, which a non-number never is
    recheckTimes: [],
    unavailableReason: undefined,
    lastUnavailable: undefined,
    nextAnonymousState: undefined,
    earlyRetryAt: undefined,
  };
  // Stryker restore BooleanLiteral
  // Stryker disable next-line BooleanLiteral,ObjectLiteral: the first frame load clears pollInFlight, and the first poll sets polledAt, before anything reads them
  return { core, poll: { pollInFlight: false, polledAt: 0 } };
}

/** `unavailable` details say what happened in a few words; the README explains each reason. */
const THIRD_PARTY_DETAIL = 'cross-site OP iframe without cookies: a sign-out cannot be told from blocked cookies (SM §5.1)';
const THIRD_PARTY_RECHECK_DETAIL = 'cross-site prompt=none without cookies: a sign-out cannot be told from blocked cookies (SM §5.1)';

/**
 * True for a well-formed {@link RecheckResult}; anything else counts as a failed re-check. Watching by re-check
 * (`noState`), an OP without session management may send no `session_state`: it is then `''`.
 */
function isRecheckResult(value: unknown, noState: boolean): value is RecheckResult {
  if (typeof value !== 'object' || value === null) return false;
  const result = value as Record<string, unknown>;
  if (result.kind === 'authenticated') {
    return typeof result.sub === 'string' && result.sub !== '' && typeof result.session_state === 'string' && (result.session_state !== '' || noState) && !/\s/.test(result.session_state);
  }
  return result.kind === 'signedOut' && SIGNED_OUT_ERRORS.has(result.error as string);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The session-monitoring state machine of OpenID Connect Session Management 1.0 §3.1, as a pure function:
 * `(state, input) → (state, effects)`. A small interpreter ({@link createMonitor}) owns the timers, the frame and
 * the re-check, and feeds their results back as inputs carrying the token or id of the request they answer, so
 * that a stale result is dropped here by construction.
 *
 * - `unchanged`: keep polling; across sites it also proves that the OP iframe can read the OP's cookies.
 * - `changed`: one `prompt=none` re-check (SM §3.1); same `sub` → store the new `session_state`; another `sub` →
 *   the original user signed out; a `login_required`-family error → signed out — across sites only when this
 *   browser has shown that the OP iframe can read the OP's cookies, since without them every answer is `changed`
 *   and every `prompt=none` fails (SM §5.1); otherwise `unavailable` (`third-party-cookies-blocked`).
 * - `error`: never `prompt=none` (SM §3.1 MUST NOT); by default report `unavailable` and poll at a backed-off pace.
 * - Everything indeterminate (timeouts, network, OP failures) is reported and retried; it never signs out.
 * - No decision compares the OP's clock with the browser's or depends on how long ago the user signed in.
 *
 * @see https://openid.net/specs/openid-connect-session-1_0.html#RPiframe
 */
export function transition(state: MachineState, input: MonitorInput, environment: TransitionEnv): Transition {
  const steady = steadyPoll(state, input, environment.now);
  return steady ? { state: steady, effects: steadyEffects(state, input, environment.now) } : fullTransition(state, input, environment);
}

/** What a transition gives: the next state and the effects to perform, in order. */
export interface Transition {
  state: MachineState;
  effects: MonitorEffect[];
}

/**
 * Steady polling with the least work, because it is what a monitor does every few seconds for hours: the poll that
 * the tick or `checkNow()` sends, and the `unchanged` answer to it, while nothing else is going on (monitoring,
 * visible, leading, the frame loaded, no timer but the tick, no failure, cookie access shown). It gives the next
 * state and returns `undefined` for everything else, which then goes the full way. Its effects are fixed, so it
 * builds none: they are always {@link steadyEffects}, which the interpreter performs without building them. It
 * decides exactly what {@link fullTransition} decides there; a property test checks that over random input sequences.
 */
export function steadyPoll(state: MachineState, input: MonitorInput, now: number): MachineState | undefined {
  const { core, poll } = state;
  if (core.phase !== 'monitoring' || !core.leading || !core.visible || !core.frameReady) return undefined;
  if (core.mainAction !== undefined || core.timers.main !== undefined || core.timers.tick === undefined) return undefined;
  // Stryker disable next-line OptionalChaining: a loaded frame belongs to a tab that holds a session
  if (!core.session?.session_state) return undefined;
  if (input.type === 'reply') {
    if (input.status !== 'unchanged' || input.frame !== core.frame || !poll.pollInFlight) return undefined;
    if (core.firstPoll || core.cookies !== 'visible' || core.failures || core.errorStreak || core.strikes || core.unavailableReason) return undefined;
    return { core, poll: { pollInFlight: false, polledAt: poll.polledAt } };
  }
  if (poll.pollInFlight || core.recheck) return undefined;
  if (input.type === 'timer') {
    // The tick polls when at least half an interval has passed since the last poll (see fullTransition).
    const elapsed = now - poll.polledAt;
    if (input.timer !== 'tick' || input.token !== core.timers.tick || (elapsed < core.config.interval / 2 && elapsed >= 0)) return undefined;
  } else if (input.type !== 'wake') {
    return undefined;
  }
  return { core, poll: { pollInFlight: true, polledAt: now } };
}

/**
 * The effects of a transition {@link steadyPoll} took from `state`: the `unchanged` answer emits `status`; the poll
 * posts the check-session message to the frame.
 */
export function steadyEffects(state: MachineState, input: MonitorInput, now: number): MonitorEffect[] {
  return input.type === 'reply' ? [{ type: 'emit', event: 'status', payload: { status: 'unchanged', at: now } }] : [{ type: 'post', frame: state.core.frame, message: pollMessage(state.core) }];
}

/** SM §3.1: the message the RP posts to the OP iframe is client_id + " " + session_state. */
export function pollMessage(state: Pick<CoreState, 'clientId' | 'session'>): string {
  // Stryker disable next-line StringLiteral,OptionalChaining: only called for a tab that holds a session (poll() and the steady shortcut require one)
  return `${state.clientId} ${state.session?.session_state ?? ''}`;
}

/** The whole transition: every input in every state. {@link transition} takes a shortcut for steady polling. */
export function fullTransition(state: MachineState, input: MonitorInput, environment: TransitionEnv): Transition {
  if (state.core.phase === 'stopped') return { state, effects: [] };
  // The transition works on one flat copy of both parts and splits it again at the end.
  s = { ...state.core, ...state.poll };
  effects = [];
  env = environment;
  config = s.config;
  apply(input);
  const { pollInFlight, polledAt, ...core } = s;
  const next: Transition = { state: { core, poll: { pollInFlight, polledAt } }, effects };
  // Keep nothing of this transition alive after it (the next transition sets every register before reading it).
  s = undefined!;
  effects = undefined!;
  return next;
}

/*
 * The working registers of the one transition in progress. `transition` is synchronous and never re-entered (it
 * calls nothing outside this module), so its helpers can live here, once, instead of being created as closures on
 * every call: a full transition costs one state copy and one effects array.
 */
let s: Mutable<CoreState & PollState>;
let effects: MonitorEffect[];
let env: TransitionEnv;
let config: MonitorConfig;

function isOver(): boolean {
  return s.phase === 'signedOut';
}
function token(): number {
  return s.nextToken++;
}
function emit<E extends keyof MonitorEvents>(event: E, payload: MonitorEvents[E]): void {
  effects.push({ type: 'emit', event, payload } as Emit);
}
function setPhase(next: MonitorState): void {
  if (next === s.phase) return;
  const previous = s.phase;
  s.phase = next;
  emit('state', { state: next, previous });
}
function setTimer(timer: TimerSlot, ms: number, repeat?: boolean): void {
  const t = token();
  s.timers = { ...s.timers, [timer]: t };
  effects.push({ type: 'setTimer', timer, token: t, ms, ...(repeat ? { repeat } : {}) });
}
function clearTimer(timer: TimerSlot): void {
  // A next step waiting for the page to be shown has no timer; it goes too.
  if (timer === 'main') s.mainAction = undefined;
  const cleared = s.timers[timer];
  if (cleared === undefined) return;
  const { [timer]: _cleared, ...rest } = s.timers;
  s.timers = rest;
  effects.push({ type: 'clearTimer', timer, token: cleared });
}
function isDeadline(action: MainAction | undefined): boolean {
  return action === 'deadline' || action === 'frameTimeout';
}
/** Steps towards a loaded OP frame: discovering its URL, loading it, and the load's deadline. */
function bringsFrame(action: MainAction | undefined): boolean {
  return action === 'resolveFrameUrl' || action === 'loadFrame' || action === 'frameTimeout';
}
/** The next step, one-shot: the loop is no longer steady, so the tick stops. */
function schedule(action: MainAction, ms: number): void {
  // Watching by iframe, a poll needs a loaded frame, whose load runs the first poll. A re-check ends by scheduling a
  // poll: it must not replace what brings the frame (a frame that never loaded, or never loads again, would leave the
  // monitor waiting for ever; startRecheck() leaves it pending), and with nothing bringing one there is nothing to poll.
  if (action === 'poll' && !s.frameReady && !s.byRecheck) return;
  clearTimer('tick');
  clearTimer('main');
  // A next step replaces a poll still out, whose deadline (the tick or the main timer) just went: its answer no
  // longer counts. (A poll's own deadline is the one step that keeps it.)
  if (!isDeadline(action)) s.pollInFlight = false;
  s.mainAction = action;
  // Hidden: nobody is looking, so a next step (a poll, a retry) waits without a timer until the page is shown
  // ({@link wake} runs it); only the deadline of something already in flight keeps one.
  if (s.visible || isDeadline(action)) setTimer('main', ms);
}

/** The page was hidden: keep only the deadlines of what is in flight, so that a hidden page soon has no timer. */
function hide(): void {
  clearTimer('keepAlive');
  // A poll still out keeps the tick: it times the poll out. Otherwise the next poll waits until the page is shown.
  if (!s.pollInFlight) clearTimer('tick');
  const next = s.mainAction;
  if (!isDeadline(next)) {
    clearTimer('main');
    s.mainAction = next;
  }
}
function retryDelay(): number {
  s.failures += 1;
  // Watching by re-check, every retry costs the OP a prompt=none: back off from the shortest gap up to the period.
  if (s.byRecheck) return backoffDelay(s.failures, config.minRecheckInterval, config.recheckInterval, () => env.random);
  return backoffDelay(s.failures, config.interval, config.maxRetryDelay, () => env.random);
}
function sub(): string | undefined {
  return s.session?.sub;
}

function unavailable(reason: UnavailableReason, detail: string, retry?: MainAction, delay?: number): void {
  const retryInMs = retry ? (delay ?? retryDelay()) : undefined;
  const news = s.unavailableReason !== reason || s.phase !== 'unavailable';
  s.unavailableReason = reason;
  if (news || !retry) s.lastUnavailable = { detail, retrying: retry !== undefined };
  setPhase('unavailable');
  if (news || !retry) {
    const payload = { reason, detail, retrying: retry !== undefined, ...(retryInMs !== undefined ? { retryInMs } : {}) };
    emit('unavailable', payload);
    const who = sub();
    if (s.leading && who !== undefined) effects.push({ type: 'broadcast', message: { type: 'unavailable', sub: who, reason, detail, retrying: payload.retrying } });
  }
  if (retry) schedule(retry, retryInMs!);
}

function backToMonitoring(): void {
  // (Only a tab that holds a session gets back to monitoring.)
  if (s.phase !== 'monitoring' && s.leading) effects.push({ type: 'broadcast', message: { type: 'monitoring', sub: sub()! } });
  s.unavailableReason = undefined;
  setPhase('monitoring');
}

/** Drops the frame and its polling (the tick, a poll still out); every caller then decides the main timer. */
function disposeFrame(): void {
  clearTimer('tick');
  s.pollInFlight = false;
  if (s.frame !== 0) effects.push({ type: 'disposeFrame', frame: s.frame });
  s.frame = 0;
  s.frameReady = false;
}

function abortRecheck(): void {
  clearTimer('recheck');
  if (s.recheck) effects.push({ type: 'abortRecheck' });
  s.recheck = undefined;
}

/** Drops the frame, every timer and any re-check: nothing of this tab's polling is left. */
function teardown(): void {
  clearTimer('main');
  clearTimer('keepAlive');
  disposeFrame();
  abortRecheck();
  s.reading = 0;
  s.resolving = 0;
}

/**
 * Says whose session this tab watches. Coordinated tabs poll once per `sub`, so a new `sub` means waiting to be
 * elected again; returns true when this tab stopped leading because of it.
 */
function watch(next: string | undefined): boolean {
  // Stryker disable next-line BooleanLiteral: only the anonymous sign-in reads the answer, and it always watches a new sub ('' becomes the user's)
  if (s.watching === next) return false;
  s.watching = next;
  effects.push({ type: 'watch', sub: next });
  if (!s.coordinated || !s.leading) return false;
  s.leading = false;
  return true;
}

function readSession(): void {
  s.reading = token();
  effects.push({ type: 'readSession', token: s.reading });
}

function resolveFrameUrl(): void {
  s.resolving = token();
  effects.push({ type: 'resolveFrameUrl', token: s.resolving });
}

/** The leading tab starts its polling: the frame URL first, then the frame. */
function begin(): void {
  if (!s.leading || !s.session || isOver() || s.phase === 'paused') return;
  scheduleKeepAlive();
  if (s.byRecheck) checkByRecheck();
  else if (s.url === undefined) resolveFrameUrl();
  else loadFrame();
}

/**
 * Watching by re-check, where the OP has no iframe to poll: from now on a "poll" is a `prompt=none` re-check, and its
 * answers are judged as after `changed`. `crossSite`: the OP is another site, where a sign-out answer needs evidence.
 */
function watchByRecheck(crossSite: boolean): void {
  s.byRecheck = true;
  s.crossSite = crossSite;
  checkByRecheck();
}

/**
 * The one place a check by re-check starts: when the page is shown, focused or back online, when the period is up,
 * on `checkNow()` — and at most once per `minRecheckInterval`: one that comes sooner waits for the rest of it, so a
 * page shown right after a logout elsewhere still learns it then. A hidden page waits, with no timer, to be shown.
 */
function checkByRecheck(): void {
  // (Signed out or paused, the pending steps that would call this are gone.)
  if (!s.session || !s.leading || s.recheck) return;
  // Across sites, a sign-out answer was not believable: asking again would only repeat it (one prompt=none, no loop).
  if (s.cookies === 'blocked') return;
  if (!s.visible) {
    // Stryker disable next-line StringLiteral: the parked step's name is never read: wake() holds any parked step to the backoff, runs it, then checks by re-check
    schedule('poll', 0);
    return;
  }
  // A clock set back makes `since` negative: count that as due, never as "not yet".
  // Stryker disable next-line ConditionalExpression: without a check yet, now - undefined is NaN, which is never inside the gap either
  const since = s.checkedAt === undefined ? config.minRecheckInterval : env.now - s.checkedAt;
  if (since >= 0 && since < config.minRecheckInterval) {
    schedule('poll', config.minRecheckInterval - since);
    return;
  }
  // Watching by re-check there is no loop guard, so this always starts one.
  startRecheck(false);
}

function loadFrame(): void {
  // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: defensive: its callers (begin, the frame URL's answer, a retry that leadership loss, sign-out and suspend cancel) hold all of these
  if (!s.leading || !s.url || !s.session || isOver() || s.phase === 'paused') return;
  disposeFrame();
  // Evidence belongs to the frame that gave it: a new document may not get the cookies the old one had.
  if (s.cookies === 'visible') {
    // Stryker disable next-line StringLiteral: decisions compare the evidence only with 'visible' and 'blocked', so any other word means unknown
    s.cookies = 'unknown';
  }
  s.frame = token();
  effects.push({ type: 'createFrame', frame: s.frame, url: s.url });
  schedule('frameTimeout', config.frameTimeout);
}

function poll(): void {
  if (s.byRecheck) {
    checkByRecheck();
    return;
  }
  // (Paused or signed out, the frame is gone.)
  if (!s.frameReady || s.pollInFlight || !s.session || !s.leading || s.phase === 'rechecking') return;
  // (A main timer still set here is a retry that a wake ran early: the poll's deadline below replaces it. Hidden,
  // none is set: hiding keeps only deadlines, and a poll out has returned above.)
  // Hidden: nobody is looking, so spare the OP (and keep no timer: a hidden page has no tick unless a poll is out); the
  // page checks at once when shown again.
  if (!s.visible) return;
  if (!s.session.session_state) {
    // Anonymous, with no session_state known yet: learn it with one prompt=none.
    startRecheck(false);
    return;
  }
  s.pollInFlight = true;
  s.polledAt = env.now;
  // While the tick runs it times polls out when it comes round (the next poll would not be sent before then
  // anyway); otherwise one deadline does.
  if (s.timers.tick === undefined) schedule('deadline', config.replyTimeout);
  effects.push({ type: 'post', frame: s.frame, message: pollMessage(s) });
}

/** A new session to watch; what this page has seen of the OP iframe's cookie access for it (unknown unless given). */
function setSession(next: SessionInfo, fromRecheck: boolean, cookies?: CookieEvidence): void {
  s.session = next;
  // Stryker disable next-line StringLiteral: decisions compare the evidence only with 'visible' and 'blocked', so any other word means unknown
  s.cookies = cookies ?? 'unknown';
  s.fromRecheck = fromRecheck;
  s.firstPoll = true;
}

/** Across sites, answers about the OP session can only be believed once the iframe has shown it sees the cookies. */
function cookiesUnproven(): boolean {
  return s.crossSite && s.cookies !== 'visible';
}

function cookiesBlocked(): void {
  s.cookies = 'blocked';
  // Stryker disable next-line OptionalChaining: cookie access is only judged for a tab that holds a session (an answer to its poll or re-check)
  if (s.session?.session_state) effects.push({ type: 'rememberCookies', session_state: s.session.session_state, evidence: 'blocked' });
  // Keep polling at a backed-off pace: an `unchanged` (the user allowed the cookies, or storage access was
  // granted) brings monitoring back; `changed` answers no longer start a prompt=none, so nothing can loop.
  // Watching by re-check there is no free question to ask: checks end until the next sign-in or page load.
  if (s.byRecheck) unavailable('third-party-cookies-blocked', THIRD_PARTY_RECHECK_DETAIL);
  else unavailable('third-party-cookies-blocked', THIRD_PARTY_DETAIL, 'poll');
}

function onReply(status: CheckSessionStatus): void {
  s.pollInFlight = false;
  const first = s.firstPoll;
  s.firstPoll = false;
  emit('status', { status, at: env.now });
  if (status === 'unchanged') {
    s.failures = 0;
    s.errorStreak = 0;
    s.strikes = 0;
    // Stryker disable next-line OptionalChaining: a reply counts only for a poll out, which only a tab holding a session sends
    if (s.crossSite && s.cookies !== 'visible' && s.session?.session_state) {
      effects.push({ type: 'rememberCookies', session_state: s.session.session_state, evidence: 'visible' });
    }
    s.cookies = 'visible';
    backToMonitoring();
    // Stryker disable next-line ConditionalExpression: while a poll is out the main timer holds its deadline or nothing (a next step drops the poll, see schedule())
    if (s.mainAction === 'deadline') clearTimer('main');
    // Steady: from now on the tick polls, every `interval`, at no timer cost per poll — once the page is visible.
    if (!s.visible) clearTimer('tick');
    else if (s.timers.tick === undefined) setTimer('tick', config.interval, true);
    return;
  }
  if (status === 'error') {
    onErrorStatus();
    return;
  }
  s.errorStreak = 0;
  if (s.crossSite && s.cookies === 'blocked') {
    cookiesBlocked();
    return;
  }
  s.failures = 0;
  if (cookiesUnproven() && first && s.fromRecheck) {
    // A re-check just succeeded and its fresh session_state is `changed` at once: twice in a row means the
    // iframe cannot see the cookie the OP computed it from.
    s.strikes += 1;
    if (s.strikes >= 2) {
      cookiesBlocked();
      return;
    }
  }
  startRecheck(false);
}

function onErrorStatus(): void {
  // SM §3.1: never prompt=none on `error` — that is how re-authentication loops start.
  if (config.onErrorStatus === 'signOut' && !s.anonymous) {
    signOut('error-status');
    return;
  }
  const detail = 'OP iframe answered "error"';
  if (config.onErrorStatus === 'stop') {
    clearTimer('main');
    disposeFrame();
    unavailable('error-status', detail);
    return;
  }
  s.errorStreak += 1;
  unavailable('error-status', detail, 'poll', backoffDelay(s.errorStreak + 1, config.interval, config.maxRetryDelay, () => env.random));
}

/**
 * Starts a `prompt=none` re-check about the session this tab holds, unless one runs already. The leading tab's
 * decisions start them, and any tab whose own token renewal failed (`renewal`).
 */
function startRecheck(keepAlive: boolean, renewal = false): void {
  if (s.recheck) return;
  // Watching by re-check there is no `changed` to loop on: checkByRecheck keeps its re-checks minRecheckInterval apart.
  if (!keepAlive && !s.byRecheck) {
    const times = s.recheckTimes.filter((at) => at <= env.now && env.now - at < config.recheckWindow);
    if (times.length >= config.maxRechecks) {
      s.recheckTimes = times;
      const wait = Math.max(config.interval, config.recheckWindow - (env.now - times[0]!));
      unavailable(
        'loop-guard',
        `${config.maxRechecks} re-checks in ${config.recheckWindow} ms, "changed" again: paused`,
        'poll',
        wait,
      );
      return;
    }
    s.recheckTimes = [...times, env.now];
  }
  // The re-check replaces the next check, and a poll still out: its answer no longer counts, so it needs no deadline.
  // What brings the frame goes on (see schedule(), which the re-check's outcome calls for the next check).
  if (!bringsFrame(s.mainAction)) clearTimer('main');
  clearTimer('tick');
  s.pollInFlight = false;
  setPhase('rechecking');
  const id = token();
  s.recheck = { id, keepAlive, renewal };
  // Every prompt=none counts for the gap watching by re-check keeps: a failed renewal's re-check, never held back
  // itself, makes a focus right after it wait (its answer is as fresh as any).
  s.checkedAt = env.now;
  const { session_state, sub: who, id_token } = s.session!;
  effects.push({ type: 'recheck', id, context: { session_state, sub: who, ...(id_token ? { id_token } : {}) } });
  setTimer('recheck', config.recheckTimeout);
}

function recheckFailed(error: OidcSessionMonitorError): void {
  emit('error', { error });
  if (cookiesUnproven() && error.code === ErrorCode.RecheckTimeout) {
    // Across sites, a prompt=none that never answers (an OP page that refuses to be framed without its
    // cookies) would otherwise be retried on every `changed`, at the loop guard's pace, for ever.
    s.strikes += 1;
    if (s.strikes >= 2) {
      if (s.phase === 'rechecking') setPhase('monitoring');
      cookiesBlocked();
      return;
    }
  }
  // Unknown is not signed out: keep the user and poll again later; the OP iframe says `changed` again if the
  // session really changed, and the re-check is retried then.
  // Stryker disable next-line ConditionalExpression: otherwise the phase is 'unavailable', with its reason (a frame deadline fired during the re-check), which this keeps
  if (s.phase === 'rechecking') setPhase(s.unavailableReason ? 'unavailable' : 'monitoring');
  schedule('poll', retryDelay());
}

function onRecheckResult(result: RecheckResult, keepAlive: boolean, renewal: boolean): void {
  const known = s.session!;
  if (s.anonymous) {
    if (result.kind === 'authenticated') {
      s.anonymous = false;
      setSession({ sub: result.sub, session_state: result.session_state, ...(result.id_token ? { id_token: result.id_token } : {}) }, true);
      s.failures = 0;
      backToMonitoring();
      if (watch(result.sub)) teardown();
      else schedule('poll', nextPoll());
      effects.push({ type: 'accept', result, sub: '' });
      emit('signedIn', { sub: result.sub, session_state: result.session_state });
      return;
    }
    const anonymousState = result.session_state ?? '';
    // Watching by re-check, nothing needs a session_state: the next re-check asks again.
    if ((!anonymousState && !s.byRecheck) || /\s/.test(anonymousState)) {
      setPhase('monitoring');
      unavailable('not-signed-in', 'nobody signed in, and no session_state from the OP to watch');
      return;
    }
    setSession({ session_state: anonymousState, sub: '' }, true, anonymousState === known.session_state ? s.cookies : undefined);
    backToMonitoring();
    schedule('poll', nextPoll());
    return;
  }
  if (result.kind === 'signedOut') {
    if (cookiesUnproven()) {
      // Without cookies the prompt=none went out without them too: its error proves nothing (SM §5.1). A tab that does
      // not poll has no evidence of its own to weigh: the polling tab's iframe decides.
      if (!s.leading) {
        recheckFailed(new OidcSessionMonitorError(ErrorCode.RecheckFailed, `prompt=none answered ${result.error} across sites (session unknown)`));
        return;
      }
      setPhase('monitoring');
      cookiesBlocked();
      return;
    }
    signOut(result.error, undefined, result.session_state);
    return;
  }
  if (result.sub !== known.sub) {
    // SM §3.1: a validated ID token for another End-User means the original one is signed out here.
    signOut('login_required', result.sub);
    return;
  }
  const previous = known.session_state;
  const same = result.session_state === previous;
  // The same user's session, re-authenticated with the OP's cookies: evidence carries over to the new state. Without
  // an iframe, this answer is itself the evidence that the OP's cookies reach its frames (SM §5.1).
  const cookies = s.byRecheck ? 'visible' : same || s.cookies === 'visible' ? s.cookies : undefined;
  setSession({ ...known, session_state: result.session_state, ...(result.id_token ? { id_token: result.id_token } : {}) }, true, cookies);
  if (cookies === 'visible' && !same && s.crossSite) effects.push({ type: 'rememberCookies', session_state: result.session_state, evidence: 'visible' });
  s.failures = 0;
  // A renewal's re-check says nothing of the OP iframe: a tab that could not watch (or whose poller could not)
  // still cannot. Watching by re-check, the answer is itself the check.
  if (renewal && s.unavailableReason && !s.byRecheck) setPhase('unavailable');
  else backToMonitoring();
  schedule('poll', keepAlive ? 0 : nextPoll());
  effects.push({ type: 'accept', result, sub: known.sub });
  emit('refreshed', { sub: result.sub, session_state: result.session_state, previous_session_state: previous });
  effects.push({ type: 'broadcast', message: { type: 'refreshed', sub: result.sub, session_state: result.session_state, previous_session_state: previous } });
}

/** When to look again after a usable answer: the poll interval, or the re-check period. */
function nextPoll(): number {
  return s.byRecheck ? config.recheckInterval : config.interval;
}

function signOut(reason: SignedOutReason, userChangedTo?: string, nextAnonymousState?: string): void {
  // Stryker disable next-line ConditionalExpression: defensive: every caller runs for a tab that holds a user, which a signed-out tab no longer does
  if (isOver()) return;
  // Only a tab that holds a signed-in user is signed out (an anonymous one has nobody to lose).
  const previousSub = s.session!.sub;
  // Timers and the re-check go at once; only removing the iframe (milliseconds of layout work) waits until the
  // app has heard, after the local user is removed.
  const frame = s.frame;
  s.frame = 0;
  teardown();
  watch(undefined);
  setPhase('signedOut');
  s.nextAnonymousState = nextAnonymousState;
  s.session = undefined;
  // Stryker disable next-line BooleanLiteral: the next session read sets it again, and a signed-out tab decides nothing before that
  s.anonymous = false;
  // Tell the other tabs first: a fact about the OP session, whatever the app does on `signedOut` (it may stop).
  // `logout()` and the tab that saw it first tell the other tabs themselves. An idle timeout reaches every tab
  // through its own idle watch: the other tabs drop its message (tabs/messages.ts), at no cost to this bundle.
  if (reason !== 'other-tab' && reason !== 'front-channel' && reason !== 'logout') {
    effects.push({
      type: 'broadcast',
      message: userChangedTo !== undefined ? { type: 'userChanged', previousSub, sub: userChangedTo } : { type: 'signedOut', reason, sub: previousSub },
    });
  }
  // Stryker disable next-line ConditionalExpression: the interpreter reads an absent userChangedTo as undefined
  effects.push({ type: 'signOut', reason, sub: previousSub, ...(userChangedTo !== undefined ? { userChangedTo } : {}) });
  if (frame !== 0) effects.push({ type: 'disposeFrame', frame });
}

function scheduleKeepAlive(): void {
  // Stryker disable next-line StringLiteral: no keep-alive timer runs when this is called (begin and shown pages come after teardown or hide, and a fired timer is gone)
  clearTimer('keepAlive');
  // Watching by re-check, the checks themselves keep the OP session alive.
  if (config.keepAlive > 0 && s.visible && s.leading && !s.byRecheck && !isOver() && s.phase !== 'paused') setTimer('keepAlive', config.keepAlive);
}

function onTab(message: TabMessage): void {
  const own = s.session;
  if (!own || s.anonymous || isOver() || s.phase === 'paused') return;
  // Every tab decides for its own user: a message about another user's session says nothing about this one.
  switch (message.type) {
    case 'signedOut':
      if (message.sub === own.sub) signOut(message.reason === 'front-channel' ? 'front-channel' : 'other-tab');
      return;
    case 'userChanged':
      if (message.previousSub === own.sub) signOut('other-tab', message.sub);
      return;
    case 'refreshed':
      if (s.leading || message.sub !== own.sub) return;
      // The polling tab just asked the OP: should this tab lead next, its next re-check keeps the minimum gap.
      s.checkedAt = env.now;
      setSession({ ...own, session_state: message.session_state }, true);
      backToMonitoring();
      emit('refreshed', { sub: message.sub, session_state: message.session_state, previous_session_state: message.previous_session_state });
      return;
    case 'unavailable':
      if (s.leading || message.sub !== own.sub) return;
      if (s.phase === 'unavailable' && s.unavailableReason === message.reason) return;
      s.unavailableReason = message.reason;
      setPhase('unavailable');
      emit('unavailable', { reason: message.reason, detail: message.detail, retrying: message.retrying });
      return;
    case 'monitoring':
      if (s.leading || message.sub !== own.sub) return;
      s.unavailableReason = undefined;
      setPhase('monitoring');
      return;
    case 'hello':
      if (!s.leading || message.sub !== own.sub) return;
      if (s.phase === 'unavailable' && s.unavailableReason && s.lastUnavailable) {
        effects.push({ type: 'broadcast', message: { type: 'unavailable', sub: own.sub, reason: s.unavailableReason, ...s.lastUnavailable } });
      } else if (s.phase === 'monitoring' || s.phase === 'rechecking') {
        effects.push({ type: 'broadcast', message: { type: 'monitoring', sub: own.sub } });
      }
      return;
    // Stryker disable next-line ConditionalExpression: the last clause; without its return the function ends there all the same
    default:
      return;
  }
}

function onSessionRead(session: SessionInfo | null, cookies: 'blocked' | undefined, lastSessionState: string | undefined): void {
  s.reading = 0;
  if (!session || !session.sub) {
    if (!config.anonymous) {
      s.session = undefined;
      watch(undefined);
      unavailable('not-signed-in', 'nobody signed in');
      return;
    }
    // Anonymous monitoring: watch the OP's anonymous session_state (the one a sign-out answer carried, or the
    // last one this tab knew before a logout, or one learned with a prompt=none); report `signedIn` later.
    // Stryker disable next-line StringLiteral: Stryker's replacement holds whitespace, which makes the state unusable: '' as well
    const known = s.nextAnonymousState ?? lastSessionState ?? '';
    s.nextAnonymousState = undefined;
    s.anonymous = true;
    setSession({ session_state: /\s/.test(known) ? '' : known, sub: '' }, false);
    watch('');
    begin();
    return;
  }
  s.anonymous = false;
  // Without a session_state the OP iframe cannot be asked; re-checks can (unless only the iframe may be used).
  if ((!session.session_state && config.mode === 'iframe') || /\s/.test(session.session_state)) {
    s.session = undefined;
    watch(undefined);
    unavailable('no-session-state', 'no usable session_state from the sign-in');
    return;
  }
  setSession({ sub: session.sub, session_state: session.session_state, ...(session.id_token ? { id_token: session.id_token } : {}) }, false, cookies);
  s.strikes = 0;
  watch(session.sub);
  // Following another tab's poller: ask where it stands, so that this tab does not show `starting` until it changes.
  if (!s.leading) effects.push({ type: 'broadcast', message: { type: 'hello', sub: session.sub } });
  begin();
}

/** What `input` does to the state in the registers. */
function apply(input: MonitorInput): void {
  switch (input.type) {
    case 'start':
      if (s.reading || s.session || isOver() || s.phase !== 'starting') break;
      s.coordinated = input.coordinated;
      s.leading = !input.coordinated;
      s.visible = input.visible;
      readSession();
      break;
    case 'sessionRead':
      if (input.token !== s.reading || isOver()) break;
      if (s.phase === 'paused') {
        // A logout navigation that never left the page (a beforeunload "stay", a 204, back from the bfcache):
        // without a user it ended as a sign-out; with one it did not happen.
        s.reading = 0;
        if (!input.session && s.session && !s.anonymous) signOut('logout');
        else if (!input.session) {
          setPhase('signedOut');
          effects.push({ type: 'signOut', reason: 'logout' });
        } else {
          setPhase('starting');
          onSessionRead(input.session, input.cookies === 'blocked' ? 'blocked' : undefined, input.lastSessionState);
        }
        break;
      }
      onSessionRead(input.session, input.cookies === 'blocked' ? 'blocked' : undefined, input.lastSessionState);
      break;
    case 'sessionReadFailed':
      if (input.token !== s.reading || isOver() || s.phase === 'paused') break;
      s.reading = 0;
      unavailable('not-signed-in', `session unreadable: ${input.detail}`, 'readSession');
      break;
    case 'frameUrlResolved':
      // (Signing out and pausing drop the outstanding resolution.)
      if (input.token !== s.resolving) break;
      s.resolving = 0;
      if (!input.url && config.mode === 'iframe') {
        unavailable('unsupported', 'OP publishes no check_session_iframe');
        break;
      }
      // Stryker disable next-line OptionalChaining: only a tab that holds a session looks for the frame URL
      if (!input.url || config.mode === 'recheck' || (!s.session?.session_state && !s.anonymous)) {
        watchByRecheck(input.crossSite);
        break;
      }
      s.url = input.url;
      s.crossSite = input.crossSite;
      loadFrame();
      break;
    case 'frameUrlFailed':
      // (Signing out and pausing drop the outstanding resolution.)
      if (input.token !== s.resolving) break;
      s.resolving = 0;
      if (input.reason === 'invalid-metadata') unavailable('invalid-metadata', input.detail);
      else unavailable('discovery-failed', input.detail, 'resolveFrameUrl');
      break;
    case 'frameLoaded':
      if (input.frame !== s.frame || s.frameReady || !s.leading) break;
      s.frameReady = true;
      // Stryker disable next-line StringLiteral: poll() clears it next; a frame deadline left while a re-check runs finds the frame loaded and does nothing
      clearTimer('main');
      // The first poll runs as soon as the frame is ready.
      poll();
      break;
    case 'reply':
      // Only a reply of the current frame to the outstanding poll counts, and only one per poll.
      // (Paused or signed out, the frame is gone.)
      if (input.frame !== s.frame || !s.pollInFlight) break;
      onReply(input.status);
      break;
    case 'timer': {
      if (s.timers[input.timer] !== input.token) break;
      if (input.timer === 'tick') {
        // Steady polling. A poll still out when the tick comes round has timed out (replyTimeout ≥ interval);
        // one sent moments ago (checkNow) makes this tick skip.
        // A clock set back (NTP, a manual fix) makes `elapsed` negative: count that as due, never as "not yet".
        const elapsed = env.now - s.polledAt;
        if (s.pollInFlight) {
          if (elapsed >= config.replyTimeout || elapsed < 0) noReply();
        } else if (elapsed >= config.interval / 2 || elapsed < 0) {
          poll();
        }
        break;
      }
      const { [input.timer]: _fired, ...rest } = s.timers;
      s.timers = rest;
      if (input.timer === 'main') {
        const action = s.mainAction;
        s.mainAction = undefined;
        // A retry ran on schedule: the next backoff period may again have one early retry.
        if (!isDeadline(action)) s.earlyRetryAt = undefined;
        runMain(action);
      } else if (input.timer === 'recheck') {
        // Stryker disable next-line ConditionalExpression: a re-check's end clears its timer, so it never fires without one
        if (!s.recheck) break;
        effects.push({ type: 'abortRecheck' });
        s.recheck = undefined;
        recheckFailed(new OidcSessionMonitorError(ErrorCode.RecheckTimeout, `prompt=none took over ${config.recheckTimeout} ms (session unknown)`));
      } else {
        // Keep-alive: only while someone uses the app, and never on top of another check.
        if (s.visible && s.frameReady && !s.pollInFlight && !s.recheck && s.phase === 'monitoring') startRecheck(true);
        scheduleKeepAlive();
      }
      break;
    }
    case 'recheckSettled':
    case 'recheckFailed': {
      // A result for a re-check that was aborted, timed out or belongs to an earlier leadership changes nothing.
      if (!s.recheck || input.id !== s.recheck.id || isOver()) break;
      const { keepAlive, renewal } = s.recheck;
      clearTimer('recheck');
      s.recheck = undefined;
      // Stryker disable next-line ConditionalExpression: a failed re-check carries no result, which is never a RecheckResult
      if (input.type === 'recheckSettled' && isRecheckResult(input.result, s.byRecheck)) {
        onRecheckResult(input.result, keepAlive, renewal);
      } else if (input.type === 'recheckSettled') {
        recheckFailed(new OidcSessionMonitorError(ErrorCode.RecheckFailed, 'recheck returned no RecheckResult'));
      } else {
        const error = input.error;
        recheckFailed(
          error instanceof OidcSessionMonitorError
            ? error
            : new OidcSessionMonitorError(ErrorCode.RecheckFailed, `prompt=none failed (session unknown): ${error instanceof Error ? error.message : String(error)}`, { cause: error }),
        );
      }
      break;
    }
    case 'visibility':
      s.visible = input.visible;
      if (!input.visible) {
        hide();
      } else {
        wake();
        // Shown again: the keep-alive period starts over (a focus on a visible page leaves a running one alone).
        if (s.timers.keepAlive === undefined) scheduleKeepAlive();
      }
      break;
    case 'wake':
      wake();
      break;
    case 'leading':
      if (input.leading === s.leading || !s.coordinated) break;
      s.leading = input.leading;
      if (input.leading) {
        begin();
      } else {
        // Another tab now polls for this one: drop the iframe and timers, keep the session.
        const wasRechecking = s.phase === 'rechecking';
        const reading = s.reading;
        teardown();
        s.reading = reading;
        if (wasRechecking) setPhase('monitoring');
      }
      break;
    case 'tab':
      onTab(input.message);
      break;
    case 'signOut':
      if (s.phase === 'paused' && input.reason !== 'logout') break;
      if (!s.session || s.anonymous) {
        // (Paused, only a logout gets here.)
        if (s.phase === 'paused') {
          setPhase('signedOut');
          effects.push({ type: 'signOut', reason: 'logout' });
        }
        break;
      }
      signOut(input.reason);
      break;
    case 'renewalFailed':
      // Dead tokens must not look like a live sign-in: the failure is reported, and the OP is asked through the same
      // re-check as for `changed` (within the loop guard), whose answer — refreshed, signed out, or unknown — follows.
      // A re-check already running answers it too. Anonymous or paused, there is no renewal of this tab's to follow up.
      if (isOver() || s.phase === 'paused' || s.anonymous || !s.session) break;
      emit('error', { error: input.error });
      // A tab without the OP iframe's URL (a follower, or an OP without one) learns from the caller whether the OP is
      // another site, where a prompt=none sign-out answer cannot be told from blocked cookies (SM §5.1).
      if (s.url === undefined) s.crossSite = input.crossSite;
      startRecheck(false, true);
      break;
    case 'suspend':
      // (Suspended again, it changes nothing: nothing runs, nobody is watched, the phase stays.)
      if (isOver()) break;
      teardown();
      // A paused tab must not keep the app's other tabs from polling.
      watch(undefined);
      setPhase('paused');
      break;
    case 'resume':
      if (s.phase !== 'paused') break;
      setPhase('starting');
      s.session = undefined;
      readSession();
      break;
    case 'signedOutLocally':
      if (s.phase !== 'signedOut' || !config.anonymous) break;
      // Keep watching, now anonymously, with the session_state the OP sent along with its error.
      setPhase('starting');
      readSession();
      break;
    case 'stop':
      teardown();
      watch(undefined);
      setPhase('stopped');
      break;
  }
}

function noReply(): void {
  // A loaded frame that does not answer is usually an error page (OP down) or a broken OP script: replace it,
  // so that recovery needs no page reload.
  disposeFrame();
  unavailable('no-reply', `no answer from the OP iframe in ${config.replyTimeout} ms`, 'loadFrame');
}

function runMain(action: MainAction | undefined): void {
  switch (action) {
    case 'poll':
      poll();
      break;
    case 'deadline':
      // Stryker disable next-line ConditionalExpression: the deadline goes whenever its poll ends (answered, replaced, or its frame dropped)
      if (s.pollInFlight) noReply();
      break;
    case 'frameTimeout':
      // Stryker disable next-line ConditionalExpression: the frame's load clears its deadline
      if (s.frameReady) break;
      disposeFrame();
      unavailable('frame-timeout', `OP iframe not loaded in ${config.frameTimeout} ms`, 'loadFrame');
      break;
    case 'loadFrame':
      loadFrame();
      break;
    case 'resolveFrameUrl':
      // Stryker disable next-line ConditionalExpression,LogicalOperator: defensive: losing leadership and signing out clear the pending step
      if (s.leading && !isOver()) resolveFrameUrl();
      break;
    case 'readSession':
      // Stryker disable next-line ConditionalExpression: defensive: signing out clears the pending step
      if (!isOver()) readSession();
      break;
    // Stryker disable next-line ConditionalExpression: the last clause; without its break the switch ends there all the same
    default:
      break;
  }
}

function wake(): void {
  // Paused and yet the page is used again: the logout navigation did not leave; find out what happened.
  if (s.phase === 'paused' && !s.reading) readSession();
  const waiting = s.mainAction;
  // During an outage (a retry pending after failures) focus, visibility and online events come in bursts: only one
  // of them per backoff period may run the retry early, or the backoff would spare the OP nothing.
  if (waiting !== undefined && !isDeadline(waiting) && (s.failures || s.errorStreak)) {
    const period = backoffDelay(s.errorStreak ? s.errorStreak + 1 : s.failures, config.interval, config.maxRetryDelay, () => 0.5);
    // Stryker disable next-line UnaryOperator: with no early retry yet, now minus either infinity is outside [0, period)
    const elapsed = env.now - (s.earlyRetryAt ?? -Infinity);
    if (elapsed >= 0 && elapsed < period) {
      // A step that waited for the page to be shown has no timer: it gets one for the rest of the period.
      if (s.timers.main === undefined) schedule(waiting, period - elapsed);
      return;
    }
    s.earlyRetryAt = env.now;
  }
  // A next step that waited for the page to be shown (it has no timer): take it now.
  const parked = waiting !== undefined && s.timers.main === undefined && !isDeadline(waiting);
  if (parked) {
    s.mainAction = undefined;
    runMain(waiting);
  }
  // Stryker disable next-line ConditionalExpression,StringLiteral: defensive: a follower, a paused or a signed-out tab has no frame and no pending step, and checkByRecheck() asks the same
  if (!s.leading || isOver() || s.phase === 'paused') return;
  // The step that waited for the page to be shown has just been taken: the check itself, or what it waits for.
  if (parked) return;
  if (s.byRecheck) {
    checkByRecheck();
  } else if (s.frameReady) {
    poll();
  } else if (s.mainAction && s.mainAction !== 'frameTimeout') {
    // A retry is pending (discovery, frame load): run it now.
    const action = s.mainAction;
    clearTimer('main');
    runMain(action);
  }
}
