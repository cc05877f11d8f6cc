import { ErrorCode, OidcSessionMonitorError } from '../errors.js';
import type { TabMessage } from '../tabs/channel.js';
import { backoffDelay } from './backoff.js';
import { Emitter } from './emitter.js';
import type { Clock, Lifecycle, OpFrame, OpFrameFactory, ThirdPartyMemory, TimerHandle } from './ports.js';
import type {
  CheckSessionStatus,
  ErrorStatusPolicy,
  MonitorEvents,
  MonitorState,
  Recheck,
  RecheckResult,
  SessionInfo,
  SessionMonitor,
  SignedOutReason,
  UnavailableReason,
} from './types.js';

/** Timing and policy of one monitor; all in milliseconds. Validated by the public entry. */
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
}

/** A sign-in this recent makes a `changed` on the first poll suspect (third-party cookies blocked). */
const FRESH_SESSION_MS = 30_000;

/** Everything the state machine needs from the outside world. */
export interface MonitorDeps {
  clientId: string;
  config: MonitorConfig;
  /** Resolves the OP's `check_session_iframe` (usually from discovery); `undefined` when the OP has none. */
  resolveCheckSessionIframe(): Promise<string | undefined>;
  /** The current local session, or `null` when nobody is signed in. */
  getSession(): Promise<SessionInfo | null>;
  createFrame: OpFrameFactory;
  recheck: Recheck;
  /** Removes the local user (sign-out, user switch). */
  signOutLocally(reason: SignedOutReason): Promise<void>;
  clock: Clock;
  random(): number;
  /** Page visibility; without it the page counts as always visible. */
  lifecycle?: Lifecycle;
  /** True when the app and the OP are different sites, so the OP iframe is a third party (SM §5.1). */
  crossSite?: boolean;
  thirdPartyMemory?: ThirdPartyMemory;
  /** The session_state this tab last had before a logout (for anonymous monitoring on the post-logout page). */
  takeLastSessionState?(): string | undefined;
}

/** An internal monitor: the public handle plus controls used by the SDK itself (logout, other tabs). */
export interface MonitorController extends SessionMonitor {
  /** Starts; `active: false` starts as a follower of another tab's monitor. */
  start(options?: { active?: boolean }): void;
  /** This tab now owns the OP iframe and the re-checks (it won the leader election). */
  activate(): void;
  /** Another tab now monitors for this one: drop the iframe and timers, keep the state. */
  deactivate(): void;
  /** Applies what the leading tab found. */
  follow(message: TabMessage): void;
  /** Pauses polling and re-checks (a logout navigation is in flight). */
  pause(): void;
  /** The session was ended elsewhere (another tab, front-channel): sign out locally without asking the OP. */
  signOutFrom(reason: SignedOutReason, userChangedTo?: string): Promise<void>;
}

const SIGNED_OUT_ERRORS = new Set(['login_required', 'interaction_required', 'consent_required', 'account_selection_required']);

function isRecheckResult(value: unknown): value is RecheckResult {
  if (typeof value !== 'object' || value === null) return false;
  const result = value as Record<string, unknown>;
  if (result.kind === 'authenticated') {
    return typeof result.sub === 'string' && result.sub !== '' && typeof result.session_state === 'string' && result.session_state !== '';
  }
  return result.kind === 'signedOut' && typeof result.error === 'string' && SIGNED_OUT_ERRORS.has(result.error);
}

const THIRD_PARTY_DETAIL =
  'The OP iframe cannot read the OP session: the browser blocks third-party cookies for it (RP and OP are different sites). Sign-outs at the OP cannot be noticed here; see SM §5.1.';

/**
 * The session-monitoring state machine of OpenID Connect Session Management 1.0 §3.1, over injected ports.
 *
 * - `unchanged`: keep polling.
 * - `changed`: pause polling and run exactly one `prompt=none` re-check (SM §3.1 MUST); same `sub` → store the
 *   new `session_state` and resume; another `sub` or a `login_required`-family error → local sign-out.
 * - `error`: never `prompt=none` (SM §3.1 MUST NOT); report `unavailable` and poll again at a backed-off pace.
 * - Anything indeterminate (timeouts, network, OP failures) is reported, retried with backoff, and never signs
 *   the user out.
 * - Cross-site, a `changed` that cannot be real (a session issued moments ago, or a re-check that just
 *   succeeded) means the iframe cannot see the OP's cookies: monitoring reports `unavailable` instead of
 *   looping or signing the user out (SM §5.1 "defensive code").
 * - Polls pause while the page is hidden and run at once when it is shown again; timers are one-shot from the
 *   last answer, so background throttling delays a check but never bunches several.
 *
 * @see https://openid.net/specs/openid-connect-session-1_0.html#RPiframe
 */
export function createMonitor(deps: MonitorDeps): MonitorController {
  const { clock, config } = deps;
  const events = new Emitter<MonitorEvents>();

  let state: MonitorState = 'starting';
  let active = true;
  /** Bumped on stop, pause, deactivation and frame replacement, so that late async results are dropped. */
  let generation = 0;
  let frameUrl: string | undefined;
  let session: SessionInfo | undefined;
  let frame: OpFrame | undefined;
  let frameLoaded = false;
  let timer: TimerHandle | undefined;
  let timerAction: (() => void) | undefined;
  let replyTimer: TimerHandle | undefined;
  let keepAliveTimer: TimerHandle | undefined;
  let pollInFlight = false;
  /** A poll came due while the page was hidden: run it as soon as the page is visible. */
  let pollDue = false;
  /** The next answer is the first for the current session_state. */
  let firstPollOfSession = true;
  /** The current session_state came from a successful re-check in this page. */
  let fromRecheck = false;
  /** Consecutive "re-check succeeded, next poll says changed again" rounds (cross-site). */
  let strikes = 0;
  let recheckAbort: AbortController | undefined;
  /** Nobody is signed in; `session.session_state` is the OP's anonymous one (SM §2: sent with prompt=none errors). */
  let anonymous = false;
  let anonymousState: string | undefined;
  let failures = 0;
  let errorStatusStreak = 0;
  let unavailableReason: UnavailableReason | undefined;
  let unsubscribeLifecycle: (() => void) | undefined;
  const recheckTimes: number[] = [];

  const isOver = () => state === 'stopped' || state === 'signedOut';
  const isVisible = () => deps.lifecycle?.isVisible() ?? true;

  function setState(next: MonitorState): void {
    if (next === state) return;
    const previous = state;
    state = next;
    events.emit('state', { state: next, previous });
  }

  function schedule(action: () => void, ms: number): void {
    cancelSchedule();
    timerAction = action;
    timer = clock.setTimeout(() => {
      timer = undefined;
      timerAction = undefined;
      action();
    }, ms);
  }

  function cancelSchedule(): void {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    timerAction = undefined;
  }

  function clearReplyTimer(): void {
    if (replyTimer !== undefined) clock.clearTimeout(replyTimer);
    replyTimer = undefined;
    pollInFlight = false;
  }

  function disposeFrame(): void {
    clearReplyTimer();
    frame?.dispose();
    frame = undefined;
    frameLoaded = false;
  }

  function retryDelay(): number {
    failures += 1;
    return backoffDelay(failures, config.interval, config.maxRetryDelay, deps.random);
  }

  /** Reports `unavailable`; with `retry`, schedules it after a backed-off delay. */
  function unavailable(reason: UnavailableReason, detail: string, retry?: () => void, delay?: number): void {
    const retryInMs = retry ? (delay ?? retryDelay()) : undefined;
    const changedReason = unavailableReason !== reason || state !== 'unavailable';
    unavailableReason = reason;
    setState('unavailable');
    if (changedReason || !retry) {
      events.emit('unavailable', { reason, detail, retrying: retry !== undefined, ...(retryInMs !== undefined ? { retryInMs } : {}) });
    }
    if (retry && retryInMs !== undefined) schedule(retry, retryInMs);
  }

  function backToMonitoring(): void {
    unavailableReason = undefined;
    setState('monitoring');
  }

  async function boot(): Promise<void> {
    const gen = generation;
    let url: string | undefined;
    try {
      url = await deps.resolveCheckSessionIframe();
    } catch (error) {
      if (gen !== generation) return;
      const detail = error instanceof Error ? error.message : String(error);
      unavailable('discovery-failed', `Discovery failed: ${detail}`, () => void boot());
      return;
    }
    if (gen !== generation) return;
    if (!url) {
      unavailable('unsupported', 'The OP publishes no check_session_iframe: it does not support OpenID Connect Session Management.');
      return;
    }
    let current: SessionInfo | null;
    try {
      current = await deps.getSession();
    } catch (error) {
      if (gen !== generation) return;
      const detail = error instanceof Error ? error.message : String(error);
      unavailable('not-signed-in', `The local session could not be read: ${detail}`, () => void boot());
      return;
    }
    if (gen !== generation) return;
    if (!current) {
      if (!config.anonymous) {
        unavailable('not-signed-in', 'Nobody is signed in: there is no session to monitor.');
        return;
      }
      // Anonymous monitoring: watch the OP's anonymous session_state (the last known one after a logout, or
      // one learned with a prompt=none), and report `signedIn` when somebody signs in at the OP.
      const known = anonymousState ?? deps.takeLastSessionState?.();
      anonymousState = undefined;
      anonymous = true;
      firstPollOfSession = true;
      frameUrl = url;
      session = { session_state: known ?? '', sub: '' };
      loadFrame();
      return;
    }
    anonymous = false;
    if (!current.session_state) {
      unavailable('no-session-state', 'The authentication response carried no session_state, so the OP iframe cannot be asked about it.');
      return;
    }
    if (session?.session_state !== current.session_state) firstPollOfSession = true;
    frameUrl = url;
    session = current;
    // A reload after third-party cookies were found blocked: a re-check would only fail (or sign the user out
    // wrongly), so report it at once — unless this is a newer sign-in, which lets the first poll test again.
    const blockedSince = deps.crossSite ? deps.thirdPartyMemory?.blockedSince() : undefined;
    if (blockedSince !== undefined && !(current.issued_at !== undefined && current.issued_at > blockedSince)) {
      unavailable('third-party-cookies-blocked', THIRD_PARTY_DETAIL);
      return;
    }
    loadFrame();
  }

  function isFresh(): boolean {
    return session?.issued_at !== undefined && clock.now() - session.issued_at < FRESH_SESSION_MS;
  }

  function thirdPartyBlocked(): void {
    deps.thirdPartyMemory?.remember(true);
    disposeFrame();
    unavailable('third-party-cookies-blocked', THIRD_PARTY_DETAIL);
  }

  function loadFrame(): void {
    if (isOver() || !frameUrl || !active) return;
    disposeFrame();
    const gen = ++generation;
    frame = deps.createFrame(frameUrl, {
      onLoad: () => {
        if (gen !== generation || frameLoaded) return;
        frameLoaded = true;
        cancelSchedule();
        // The first poll runs as soon as the frame is ready.
        poll();
      },
      onReply: (status) => {
        if (gen !== generation) return;
        onReply(status);
      },
    });
    schedule(() => {
      if (gen !== generation || frameLoaded) return;
      disposeFrame();
      unavailable('frame-timeout', `The OP iframe did not load within ${config.frameTimeout} ms.`, loadFrame);
    }, config.frameTimeout);
  }

  function poll(): void {
    if (!frame || !frameLoaded || pollInFlight || !session || !active) return;
    if (state === 'rechecking' || state === 'paused' || isOver()) return;
    cancelSchedule();
    if (!isVisible()) {
      // Hidden: nobody is looking, so spare the OP; the page checks at once when it is shown again.
      pollDue = true;
      return;
    }
    pollDue = false;
    if (!session.session_state) {
      void recheck();
      return;
    }
    pollInFlight = true;
    const gen = generation;
    replyTimer = clock.setTimeout(() => {
      replyTimer = undefined;
      if (gen !== generation || !pollInFlight) return;
      pollInFlight = false;
      // A loaded frame that does not answer is usually an error page (OP down) or a broken OP script:
      // replace it, so that recovery needs no page reload.
      disposeFrame();
      unavailable('no-reply', `The OP iframe did not answer within ${config.replyTimeout} ms.`, loadFrame);
    }, config.replyTimeout);
    // SM §3.1: the message is client_id + " " + session_state.
    frame.post(`${deps.clientId} ${session.session_state}`);
  }

  function onReply(status: CheckSessionStatus): void {
    // Only a reply to the outstanding poll counts, and only one reply per poll.
    if (!pollInFlight || isOver() || state === 'paused') return;
    clearReplyTimer();
    const first = firstPollOfSession;
    firstPollOfSession = false;
    events.emit('status', { status, at: clock.now() });
    if (status === 'unchanged') {
      failures = 0;
      errorStatusStreak = 0;
      strikes = 0;
      if (deps.crossSite) deps.thirdPartyMemory?.remember(false);
      backToMonitoring();
      schedule(poll, config.interval);
    } else if (status === 'changed') {
      failures = 0;
      errorStatusStreak = 0;
      // SM §5.1 defensive code, cross-site only: an OP iframe that cannot read the OP's cookies answers
      // `changed` to every poll. Two patterns give it away without a false sign-out:
      if (deps.crossSite && first && fromRecheck && !anonymous) {
        // the re-check just succeeded and its fresh session_state is `changed` at once — twice in a row;
        strikes += 1;
        if (strikes >= 2) {
          thirdPartyBlocked();
          return;
        }
      }
      // or a session signed in moments ago is `changed` at once and prompt=none then fails as well (it goes out
      // without the OP cookie too): its login_required then proves nothing, so it must not sign the user out.
      void recheck({ suspect: deps.crossSite === true && first && !fromRecheck && !anonymous && isFresh() });
    } else {
      onErrorStatus();
    }
  }

  function onErrorStatus(): void {
    // SM §3.1: never prompt=none on `error` — that is how re-authentication loops start.
    if (config.onErrorStatus === 'signOut') {
      void signOut('error-status');
      return;
    }
    const detail = 'The OP iframe answered "error": it could not check the message (wrong client_id or origin, or no access to its own state).';
    if (config.onErrorStatus === 'stop') {
      cancelSchedule();
      disposeFrame();
      unavailable('error-status', detail);
      return;
    }
    errorStatusStreak += 1;
    const delay = backoffDelay(errorStatusStreak + 1, config.interval, config.maxRetryDelay, deps.random);
    unavailable('error-status', detail, poll, delay);
  }

  function loopGuardTripped(): boolean {
    const now = clock.now();
    while (recheckTimes.length > 0 && now - recheckTimes[0]! >= config.recheckWindow) recheckTimes.shift();
    if (recheckTimes.length >= config.maxRechecks) return true;
    recheckTimes.push(now);
    return false;
  }

  async function recheck({ keepAlive = false, suspect = false }: { keepAlive?: boolean; suspect?: boolean } = {}): Promise<void> {
    if (!session || !active) return;
    if (!keepAlive && loopGuardTripped()) {
      const wait = Math.max(config.interval, config.recheckWindow - (clock.now() - recheckTimes[0]!));
      unavailable(
        'loop-guard',
        `The OP iframe kept answering "changed": ${config.maxRechecks} prompt=none re-checks within ${config.recheckWindow} ms. Re-checks pause until the window has passed.`,
        poll,
        wait,
      );
      return;
    }
    cancelSchedule();
    setState('rechecking');
    const gen = generation;
    const abort = new AbortController();
    recheckAbort = abort;
    const known = session;
    let result: RecheckResult;
    try {
      result = await withTimeout(
        deps.recheck({ session_state: known.session_state, sub: known.sub, ...(known.id_token ? { id_token: known.id_token } : {}), signal: abort.signal }),
        abort,
      );
      if (!isRecheckResult(result)) {
        throw new OidcSessionMonitorError(ErrorCode.RecheckFailed, 'The re-check returned a value that is not a RecheckResult.');
      }
    } catch (error) {
      if (gen !== generation || isOver()) return;
      recheckAbort = undefined;
      const reported =
        error instanceof OidcSessionMonitorError
          ? error
          : new OidcSessionMonitorError(ErrorCode.RecheckFailed, `The prompt=none re-check failed; the session is unknown, not ended: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      events.emit('error', { error: reported });
      // Unknown is not signed out: keep the user, poll again later; the OP iframe will say `changed` again
      // if the session really changed, and the re-check is retried then.
      setState('monitoring');
      schedule(poll, retryDelay());
      return;
    }
    if (gen !== generation || isOver()) return;
    recheckAbort = undefined;
    if (anonymous) {
      onAnonymousResult(result);
      return;
    }
    if (result.kind === 'signedOut') {
      if (suspect) thirdPartyBlocked();
      else await signOut(result.error, undefined, result.session_state);
      return;
    }
    if (result.sub !== known.sub) {
      // SM §3.1: an ID token for another End-User means the original one signed out.
      await signOut('login_required', result.sub);
      return;
    }
    const previous = known.session_state;
    session = { ...known, sub: result.sub, session_state: result.session_state, ...(result.id_token ? { id_token: result.id_token } : {}) };
    fromRecheck = true;
    firstPollOfSession = true;
    failures = 0;
    backToMonitoring();
    events.emit('refreshed', { sub: result.sub, session_state: result.session_state, previous_session_state: previous });
    schedule(poll, keepAlive ? 0 : config.interval);
  }

  function onAnonymousResult(result: RecheckResult): void {
    if (result.kind === 'authenticated') {
      anonymous = false;
      session = { sub: result.sub, session_state: result.session_state, ...(result.id_token ? { id_token: result.id_token } : {}) };
      fromRecheck = true;
      firstPollOfSession = true;
      backToMonitoring();
      events.emit('signedIn', { sub: result.sub, session_state: result.session_state });
      schedule(poll, config.interval);
      return;
    }
    if (!result.session_state) {
      unavailable('not-signed-in', 'Nobody is signed in, and the OP sent no session_state with its prompt=none error, so there is nothing to watch.');
      return;
    }
    session = { session_state: result.session_state, sub: '' };
    firstPollOfSession = true;
    backToMonitoring();
    schedule(poll, config.interval);
  }

  function withTimeout<T>(promise: Promise<T>, abort: AbortController): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const handle = clock.setTimeout(() => {
        abort.abort();
        reject(new OidcSessionMonitorError(ErrorCode.RecheckTimeout, `The prompt=none re-check did not finish within ${config.recheckTimeout} ms; the session is unknown, not ended.`));
      }, config.recheckTimeout);
      promise.then(
        (value) => {
          clock.clearTimeout(handle);
          resolve(value);
        },
        (error: unknown) => {
          clock.clearTimeout(handle);
          reject(error);
        },
      );
    });
  }

  function scheduleKeepAlive(): void {
    if (keepAliveTimer !== undefined) clock.clearTimeout(keepAliveTimer);
    keepAliveTimer = undefined;
    if (config.keepAlive <= 0 || isOver() || !active) return;
    keepAliveTimer = clock.setTimeout(() => {
      keepAliveTimer = undefined;
      // Only while someone uses the app, and never on top of another check.
      if (isVisible() && frameLoaded && !pollInFlight && (state === 'monitoring' || state === 'starting')) void recheck({ keepAlive: true });
      scheduleKeepAlive();
    }, config.keepAlive);
  }

  function teardown(): void {
    generation += 1;
    cancelSchedule();
    disposeFrame();
    if (keepAliveTimer !== undefined) clock.clearTimeout(keepAliveTimer);
    keepAliveTimer = undefined;
    recheckAbort?.abort();
    recheckAbort = undefined;
  }

  function release(): void {
    teardown();
    unsubscribeLifecycle?.();
    unsubscribeLifecycle = undefined;
  }

  async function signOut(reason: SignedOutReason, userChangedTo?: string, nextAnonymousState?: string): Promise<void> {
    if (isOver()) return;
    const known = session;
    if (config.anonymous) teardown();
    else release();
    setState('signedOut');
    // A follower never read its session; learn whose it was before it is removed.
    const previousSub = known?.sub ?? (await deps.getSession().catch(() => null))?.sub;
    try {
      await deps.signOutLocally(reason);
    } catch {
      // The local store failed to clear; the event still tells the app, which owns its UI state.
    }
    if (userChangedTo !== undefined && previousSub !== undefined) events.emit('userChanged', { previousSub, sub: userChangedTo });
    events.emit('signedOut', { reason, ...(previousSub !== undefined ? { sub: previousSub } : {}) });
    if (config.anonymous && state === 'signedOut') {
      // Keep watching, now anonymously, with the session_state the OP sent along with its error.
      anonymousState = nextAnonymousState;
      session = undefined;
      fromRecheck = false;
      setState('starting');
      if (active) void boot();
    }
  }

  function onLifecycle(signal: 'visible' | 'hidden' | 'resume'): void {
    if (signal === 'hidden') return;
    // Shown again, focused, back online or restored from the back/forward cache: check now.
    if (signal === 'visible' || pollDue || isVisible()) controller.checkNow();
  }

  function wake(): void {
    if (!active || isOver() || state === 'paused') return;
    if (frame && frameLoaded) {
      poll();
    } else if (timerAction) {
      // A retry is pending (discovery, frame load): run it now.
      const action = timerAction;
      cancelSchedule();
      action();
    }
  }

  const controller: MonitorController = {
    get state() {
      return state;
    },
    on: (event, handler) => events.on(event, handler),
    start(options) {
      if (state !== 'starting' || unsubscribeLifecycle) return;
      active = options?.active ?? true;
      unsubscribeLifecycle = deps.lifecycle?.subscribe(onLifecycle);
      if (active) {
        void boot();
        scheduleKeepAlive();
      }
    },
    activate() {
      if (active || isOver() || state === 'paused') return;
      active = true;
      void boot();
      scheduleKeepAlive();
    },
    deactivate() {
      if (!active || isOver()) return;
      active = false;
      teardown();
      if (state === 'rechecking') setState('monitoring');
    },
    follow(message) {
      if (isOver() || state === 'paused') return;
      // Sign-outs apply to every tab, leading or not (also where each tab polls alone).
      if (message.type === 'signedOut') {
        void signOut(message.reason === 'front-channel' ? 'front-channel' : 'other-tab');
        return;
      }
      if (message.type === 'userChanged') {
        void signOut('other-tab', message.sub);
        return;
      }
      if (active) return;
      if (message.type === 'refreshed') {
        if (session) session = { ...session, session_state: message.session_state };
        backToMonitoring();
        events.emit('refreshed', { sub: message.sub, session_state: message.session_state, previous_session_state: message.previous_session_state });
      } else if (message.type === 'unavailable') {
        unavailableReason = message.reason;
        setState('unavailable');
        events.emit('unavailable', { reason: message.reason, detail: message.detail, retrying: message.retrying });
      } else if (message.type === 'monitoring') {
        backToMonitoring();
      }
    },
    checkNow: wake,
    pause() {
      if (isOver()) return;
      release();
      setState('paused');
    },
    signOutFrom: (reason, userChangedTo) => signOut(reason, userChangedTo),
    stop() {
      if (state === 'stopped') return;
      release();
      setState('stopped');
      events.clear();
    },
  };
  return controller;
}
