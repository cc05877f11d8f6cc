import { ErrorCode, isOidcSessionMonitorError, type OidcSessionMonitorError } from '../errors.js';
import type { TabMessage } from '../tabs/messages.js';
import { urlProblem } from '../url.js';
import { Emitter } from './emitter.js';
import { type CookieEvidence, initialState, type MachineState, type MonitorConfig, type MonitorEffect, type MonitorInput, pollMessage, steadyPoll, type TimerSlot, fullTransition } from './machine.js';
import type { Clock, TimerHandle } from '../platform.js';
import type { Lifecycle, OpFrame, OpFrameFactory } from './ports.js';
import type { CheckSessionStatus, MonitorEvents, MonitorState, Recheck, RecheckResult, SessionInfo, SessionMonitor, SignedOutReason } from './types.js';

export type { MonitorConfig } from './machine.js';

/**
 * What this browser learned about the OP iframe's access to the OP's cookies, per `session_state`, kept across
 * page loads and shared by the app's tabs (SM §5.1).
 */
export interface CookieMemory {
  read(sessionState: string): CookieEvidence;
  remember(sessionState: string, evidence: Exclude<CookieEvidence, 'unknown'>): void;
}

/** Everything the interpreter needs from the outside world. */
export interface MonitorDeps {
  clientId: string;
  config: MonitorConfig;
  /** Resolves the OP's `check_session_iframe` (usually from discovery); `undefined` when the OP has none. */
  resolveCheckSessionIframe(): Promise<string | undefined>;
  /** True when the app and the iframe at `url` are different sites, so the OP iframe is a third party (SM §5.1). */
  isCrossSite?(url: string): boolean;
  /** The OP's issuer: without an iframe, its site decides whether the OP's frames are a third party. */
  issuer?: string;
  /** Accept a discovered `http:` iframe URL on a non-loopback host (test setups). */
  allowInsecureHttp?: boolean;
  /** The current local session, or `null` when nobody is signed in. */
  getSession(): Promise<SessionInfo | null>;
  createFrame: OpFrameFactory;
  recheck: Recheck;
  /**
   * Stores the tokens of a re-check result the monitor accepted — only if the store still holds `sub` (`''`:
   * nobody); nothing is stored before.
   */
  accept?(result: Extract<RecheckResult, { kind: 'authenticated' }>, sub: string): Promise<void>;
  /** Removes the local user `sub` (sign-out, user switch) — only if the store still holds that user. */
  signOutLocally(reason: SignedOutReason, sub: string | undefined): Promise<void>;
  clock: Clock;
  random(): number;
  /** Page visibility; without it the page counts as always visible. */
  lifecycle?: Lifecycle;
  cookieMemory?: CookieMemory;
  /** The session_state this tab last had before a logout (for anonymous monitoring on the post-logout page). */
  takeLastSessionState?(): string | undefined;
  /** Tells the app's other tabs. */
  broadcast?(message: TabMessage): void;
  /** Whose session this tab now watches (`undefined`: none), so that tabs of one user share one poller. */
  watch?(sub: string | undefined): void;
}

/** An internal monitor: the public handle plus the controls the SDK itself uses (tabs, logout, front-channel). */
export interface MonitorController extends SessionMonitor {
  /** Starts; `coordinated: true` waits for {@link MonitorController.lead} before polling (another tab may poll). */
  start(options?: { coordinated?: boolean }): void;
  /** Whether this tab polls for the user it watches (it won, or lost, the election among the app's tabs). */
  lead(leading: boolean): void;
  /** Applies what another tab of the app said. */
  follow(message: TabMessage): void;
  /** A logout navigation is in flight: stop polling and re-checks, let another tab poll. */
  suspend(): void;
  /** The logout did not leave the page: go on monitoring. */
  resume(): void;
  /** The session was ended without asking the OP (a matching front-channel request, a local logout, the idle timeout). */
  signOutFrom(reason: 'front-channel' | 'other-tab' | 'logout' | 'idle'): void;
  /**
   * This tab's token renewal failed: reports it and re-checks with `prompt=none` (`crossSite`: the OP is another
   * site). Settles once no re-check runs any more and what it stored or removed is done, so that the caller can let
   * the next tab look at the store.
   */
  renewalFailed(error: OidcSessionMonitorError, crossSite: boolean): Promise<void>;
}

/**
 * Runs the monitor's state machine ({@link transition}) against the real world: it owns the timers, the OP frame,
 * the re-check and the event emitter, and nothing else — every decision is the machine's.
 *
 * @see https://openid.net/specs/openid-connect-session-1_0.html#RPiframe
 */
export function createMonitor(deps: MonitorDeps): MonitorController {
  const { clock } = deps;
  const events = new Emitter<MonitorEvents>();
  let machine: MachineState = initialState(deps.clientId, deps.config);
  const timers = new Map<TimerSlot, { token: number; handle: TimerHandle }>();
  const frames = new Map<number, OpFrame>();
  let recheckAbort: AbortController | undefined;
  let unsubscribeLifecycle: (() => void) | undefined;
  const queue: MonitorInput[] = [];
  let running = false;
  /** Callers of renewalFailed() waiting for the re-check it asked for to be over. */
  const renewalWaiters: Array<() => void> = [];

  function dispatch(input: MonitorInput): void {
    if (running) {
      // An input that arrives while effects run (an event handler calling stop(), a synchronous port) waits its turn.
      queue.push(input);
      return;
    }
    running = true;
    try {
      for (let next: MonitorInput | undefined = input; next; next = queue.shift()) step(next);
    } finally {
      running = false;
    }
  }

  /**
   * Steady polling — the poll and its `unchanged` answer, what a monitor does every few seconds for hours — goes
   * straight through the machine's shortcut ({@link steadyPoll}), whose effects are always {@link steadyEffects}:
   * they are performed here without being built (a `status` payload only if someone listens), so that a steady
   * poll allocates next to nothing. Anything else, or an input that arrives while effects run, takes the full way
   * through {@link dispatch}.
   */
  function input(next: MonitorInput): void {
    const before = machine;
    const now = clock.now();
    const steady = running ? undefined : steadyPoll(before, next, now);
    if (!steady) {
      dispatch(next);
      return;
    }
    machine = steady;
    if (next.type !== 'reply') frames.get(before.core.frame)?.post(pollMessage(before.core));
    else if (events.listens('status')) events.emit('status', { status: 'unchanged', at: now });
  }

  function step(input: MonitorInput): void {
    // Steady inputs took the shortcut in input(); the full transition decides the same for any that come this way.
    const result = fullTransition(machine, input, { now: clock.now(), random: deps.random() });
    machine = result.state;
    const done = perform(result.effects, machine.core.phase, false);
    if (renewalWaiters.length > 0 && machine.core.recheck === undefined) {
      const waiting = renewalWaiters.splice(0);
      const release = () => waiting.forEach((resolve) => resolve());
      if (done) void done.then(release, release);
      else release();
    }
    const { phase } = machine.core;
    if (phase === 'stopped' || (phase === 'signedOut' && !deps.config.anonymous)) {
      // Nothing can happen to this monitor any more: no page listener is left behind.
      unsubscribeLifecycle?.();
      unsubscribeLifecycle = undefined;
    }
    if (phase === 'stopped') {
      events.clear();
      queue.length = 0;
      // Whatever an unfinished sign-out still meant to remove goes now.
      for (const frame of frames.values()) frame.dispose();
      frames.clear();
      for (const { handle } of timers.values()) clock.clearTimeout(handle);
      timers.clear();
    }
  }

  /**
   * Runs effects in order; after an asynchronous one (storing tokens, removing the user) the rest wait for it. What
   * they announce (events, messages to other tabs) is dropped if the monitor has meanwhile been signed out, paused
   * or stopped: a `refreshed` must not follow a `signedOut`.
   */
  function perform(effects: readonly MonitorEffect[], phase: MonitorState, deferred: boolean): Promise<void> | undefined {
    for (let i = 0; i < effects.length; i++) {
      const effect = effects[i]!;
      if (deferred && (effect.type === 'emit' || effect.type === 'broadcast') && superseded(phase)) continue;
      const pending = run(effect);
      if (pending) {
        const rest = effects.slice(i + 1);
        return pending.then(() => perform(rest, phase, true));
      }
    }
    return undefined;
  }

  /** The monitor was signed out, paused or stopped since `phase`: what a deferred effect would announce is stale. */
  function superseded(phase: MonitorState): boolean {
    const now = machine.core.phase;
    return now !== phase && (now === 'signedOut' || now === 'paused' || now === 'stopped');
  }

  function run(effect: MonitorEffect): Promise<void> | undefined {
    switch (effect.type) {
      case 'readSession': {
        const { token } = effect;
        deps.getSession().then(
          (session) => {
            const cookies = session?.session_state ? deps.cookieMemory?.read(session.session_state) : undefined;
            const last = !session && deps.config.anonymous ? deps.takeLastSessionState?.() : undefined;
            dispatch({ type: 'sessionRead', token, session, ...(cookies ? { cookies } : {}), ...(last ? { lastSessionState: last } : {}) });
          },
          (error: unknown) => dispatch({ type: 'sessionReadFailed', token, detail: message(error) }),
        );
        return undefined;
      }
      case 'resolveFrameUrl': {
        const { token } = effect;
        deps.resolveCheckSessionIframe().then(
          (url) => {
            // Discovery is input like any other: an iframe URL must be as safe as one given in the options (watching
            // by re-check only, it is never loaded).
            const problem = url === undefined || deps.config.mode === 'recheck' ? undefined : urlProblem('check_session_iframe', url, deps.allowInsecureHttp === true);
            const site = url ?? deps.issuer;
            if (problem) dispatch({ type: 'frameUrlFailed', token, reason: 'invalid-metadata', detail: problem });
            else dispatch({ type: 'frameUrlResolved', token, url, crossSite: site !== undefined && (deps.isCrossSite?.(site) ?? false) });
          },
          (error: unknown) =>
            dispatch({ type: 'frameUrlFailed', token, reason: isOidcSessionMonitorError(error, ErrorCode.InvalidMetadata) ? 'invalid-metadata' : 'discovery-failed', detail: message(error) }),
        );
        return undefined;
      }
      case 'createFrame': {
        const id = effect.frame;
        const replies = { unchanged: reply(id, 'unchanged'), changed: reply(id, 'changed'), error: reply(id, 'error') };
        frames.set(
          id,
          deps.createFrame(effect.url, {
            onLoad: () => dispatch({ type: 'frameLoaded', frame: id }),
            onReply: (status) => input(replies[status]),
          }),
        );
        return undefined;
      }
      case 'disposeFrame':
        frames.get(effect.frame)?.dispose();
        frames.delete(effect.frame);
        return undefined;
      case 'post':
        frames.get(effect.frame)?.post(effect.message);
        return undefined;
      case 'setTimer': {
        const { timer, token, repeat } = effect;
        const previous = timers.get(timer);
        if (previous !== undefined) clock.clearTimeout(previous.handle);
        // One input per timer, not per firing: a tick fires for hours.
        const fired: MonitorInput = { type: 'timer', timer, token };
        const fire = () => {
          if (!repeat && timers.get(timer)?.token === token) timers.delete(timer);
          input(fired);
        };
        timers.set(timer, { token, handle: repeat ? clock.setInterval(fire, effect.ms) : clock.setTimeout(fire, effect.ms) });
        return undefined;
      }
      case 'clearTimer': {
        const current = timers.get(effect.timer);
        if (current?.token !== effect.token) return undefined;
        clock.clearTimeout(current.handle);
        timers.delete(effect.timer);
        return undefined;
      }
      case 'recheck': {
        const { id, context } = effect;
        const abort = new AbortController();
        recheckAbort = abort;
        let pending: Promise<unknown>;
        try {
          pending = Promise.resolve(deps.recheck({ ...context, signal: abort.signal }));
        } catch (error) {
          pending = Promise.reject(error);
        }
        pending.then(
            (result) => dispatch({ type: 'recheckSettled', id, result }),
            (error: unknown) => dispatch({ type: 'recheckFailed', id, error }),
          );
        return undefined;
      }
      case 'abortRecheck':
        recheckAbort?.abort();
        recheckAbort = undefined;
        return undefined;
      case 'accept':
        return deps.accept?.(effect.result, effect.sub).catch((error: unknown) => {
          // The app's store refused the new tokens: the session is still the same, so only report it.
          queueMicrotask(() => {
            throw error;
          });
        });
      case 'emit':
        (events.emit as (event: string, payload: unknown) => void)(effect.event, effect.payload);
        return undefined;
      case 'broadcast':
        deps.broadcast?.(effect.message);
        return undefined;
      case 'watch':
        deps.watch?.(effect.sub);
        return undefined;
      case 'rememberCookies':
        deps.cookieMemory?.remember(effect.session_state, effect.evidence);
        return undefined;
      case 'signOut': {
        const { reason, sub, userChangedTo } = effect;
        return deps
          .signOutLocally(reason, sub)
          .catch(() => {
            // The local store failed to clear; the event still tells the app, which owns its UI state.
          })
          .then(() => {
            if (userChangedTo !== undefined && sub !== undefined) events.emit('userChanged', { previousSub: sub, sub: userChangedTo });
            events.emit('signedOut', { reason, ...(sub !== undefined ? { sub } : {}) });
            dispatch({ type: 'signedOutLocally' });
          });
      }
    }
  }

  const controller: MonitorController = {
    get state() {
      return machine.core.phase;
    },
    on: (event, handler) => events.on(event, handler),
    start(options) {
      if (unsubscribeLifecycle || machine.core.phase !== 'starting') return;
      const { lifecycle } = deps;
      unsubscribeLifecycle = lifecycle?.subscribe((signal) => {
        // Shown again, focused, back online or restored from the back/forward cache: check now if visible.
        if (signal === 'hidden') dispatch({ type: 'visibility', visible: false });
        else dispatch({ type: 'visibility', visible: lifecycle.isVisible() });
      }) ?? (() => {});
      dispatch({ type: 'start', coordinated: options?.coordinated === true, visible: lifecycle?.isVisible() ?? true });
    },
    lead: (leading) => dispatch({ type: 'leading', leading }),
    follow: (message) => dispatch({ type: 'tab', message }),
    checkNow: () => input(WAKE),
    suspend: () => dispatch({ type: 'suspend' }),
    resume: () => dispatch({ type: 'resume' }),
    signOutFrom: (reason) => dispatch({ type: 'signOut', reason }),
    renewalFailed: (error, crossSite) =>
      new Promise<void>((resolve) => {
        renewalWaiters.push(resolve);
        dispatch({ type: 'renewalFailed', error, crossSite });
      }),
    stop: () => dispatch({ type: 'stop' }),
  };
  return controller;
}

/** Inputs are never changed, so the frequent ones are built once. */
const WAKE: MonitorInput = { type: 'wake' };

function reply(frame: number, status: CheckSessionStatus): MonitorInput {
  return { type: 'reply', frame, status };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
