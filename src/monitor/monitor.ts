import { ErrorCode, OidcSessionMonitorError } from '../errors.js';
import { backoffDelay } from './backoff.js';
import { Emitter } from './emitter.js';
import type { Clock, OpFrame, OpFrameFactory, TimerHandle } from './ports.js';
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
}

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
}

/** An internal monitor: the public handle plus controls used by the SDK itself (logout, other tabs). */
export interface MonitorController extends SessionMonitor {
  start(): void;
  /** Pauses polling and re-checks (a logout navigation is in flight). */
  pause(): void;
  /** The session was ended elsewhere (another tab, front-channel): sign out locally without asking the OP. */
  signOutFrom(reason: SignedOutReason): Promise<void>;
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

/**
 * The session-monitoring state machine of OpenID Connect Session Management 1.0 §3.1, over injected ports.
 *
 * - `unchanged`: keep polling.
 * - `changed`: pause polling and run exactly one `prompt=none` re-check (SM §3.1 MUST); same `sub` → store the
 *   new `session_state` and resume; another `sub` or a `login_required`-family error → local sign-out.
 * - `error`: never `prompt=none` (SM §3.1 MUST NOT); report `unavailable` and poll again at a backed-off pace.
 * - Anything indeterminate (timeouts, network, OP failures) is reported, retried with backoff, and never signs
 *   the user out.
 *
 * @see https://openid.net/specs/openid-connect-session-1_0.html#RPiframe
 */
export function createMonitor(deps: MonitorDeps): MonitorController {
  const { clock, config } = deps;
  const events = new Emitter<MonitorEvents>();

  let state: MonitorState = 'starting';
  /** Bumped on stop, pause and frame replacement, so that late async results are dropped. */
  let generation = 0;
  let frameUrl: string | undefined;
  let session: SessionInfo | undefined;
  let frame: OpFrame | undefined;
  let frameLoaded = false;
  let timer: TimerHandle | undefined;
  let timerAction: (() => void) | undefined;
  let replyTimer: TimerHandle | undefined;
  let pollInFlight = false;
  let recheckAbort: AbortController | undefined;
  let failures = 0;
  let errorStatusStreak = 0;
  let unavailableReason: UnavailableReason | undefined;
  const recheckTimes: number[] = [];

  const isOver = () => state === 'stopped' || state === 'signedOut';

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
      unavailable('not-signed-in', 'Nobody is signed in: there is no session to monitor.');
      return;
    }
    if (!current.session_state) {
      unavailable('no-session-state', 'The authentication response carried no session_state, so the OP iframe cannot be asked about it.');
      return;
    }
    frameUrl = url;
    session = current;
    loadFrame();
  }

  function loadFrame(): void {
    if (isOver() || !frameUrl) return;
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
    if (!frame || !frameLoaded || pollInFlight || !session) return;
    if (state === 'rechecking' || state === 'paused' || isOver()) return;
    cancelSchedule();
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
    events.emit('status', { status, at: clock.now() });
    if (status === 'unchanged') {
      failures = 0;
      errorStatusStreak = 0;
      backToMonitoring();
      schedule(poll, config.interval);
    } else if (status === 'changed') {
      failures = 0;
      errorStatusStreak = 0;
      void recheck();
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

  async function recheck(): Promise<void> {
    if (!session) return;
    if (loopGuardTripped()) {
      const wait = Math.max(config.interval, config.recheckWindow - (clock.now() - recheckTimes[0]!));
      unavailable(
        'loop-guard',
        `The OP iframe kept answering "changed": ${config.maxRechecks} prompt=none re-checks within ${config.recheckWindow} ms. Re-checks pause until the window has passed.`,
        poll,
        wait,
      );
      return;
    }
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
    if (result.kind === 'signedOut') {
      await signOut(result.error);
      return;
    }
    if (result.sub !== known.sub) {
      // SM §3.1: an ID token for another End-User means the original one signed out.
      await signOut('login_required', { userChangedTo: result.sub });
      return;
    }
    const previous = known.session_state;
    session = { sub: result.sub, session_state: result.session_state, ...(result.id_token ? { id_token: result.id_token } : known.id_token ? { id_token: known.id_token } : {}) };
    failures = 0;
    backToMonitoring();
    events.emit('refreshed', { sub: result.sub, session_state: result.session_state, previous_session_state: previous });
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

  function teardown(): void {
    generation += 1;
    cancelSchedule();
    disposeFrame();
    recheckAbort?.abort();
    recheckAbort = undefined;
  }

  async function signOut(reason: SignedOutReason, change?: { userChangedTo: string }): Promise<void> {
    if (isOver()) return;
    const previousSub = session?.sub;
    teardown();
    setState('signedOut');
    try {
      await deps.signOutLocally(reason);
    } catch {
      // The local store failed to clear; the event still tells the app, which owns its UI state.
    }
    if (change && previousSub !== undefined) events.emit('userChanged', { previousSub, sub: change.userChangedTo });
    events.emit('signedOut', { reason, ...(previousSub !== undefined ? { sub: previousSub } : {}) });
  }

  const controller: MonitorController = {
    get state() {
      return state;
    },
    on: (event, handler) => events.on(event, handler),
    start() {
      if (state !== 'starting' || timer !== undefined || frame) return;
      void boot();
    },
    checkNow() {
      if (isOver() || state === 'paused' || state === 'rechecking') return;
      if (frame && frameLoaded) {
        poll();
      } else if (timerAction) {
        // A retry is pending (discovery, frame load): run it now.
        const action = timerAction;
        cancelSchedule();
        action();
      }
    },
    pause() {
      if (isOver()) return;
      teardown();
      setState('paused');
    },
    signOutFrom: (reason) => signOut(reason),
    stop() {
      if (state === 'stopped') return;
      teardown();
      setState('stopped');
      events.clear();
    },
  };
  return controller;
}
