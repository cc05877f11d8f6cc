/**
 * Where an idle watch is. `active`: the user was active recently enough; `warning`: the shared deadline is within the
 * warning lead time (every tab of the app is in this state at once); `timedOut`: the app timed out and this tab's
 * user was signed out — final; `stopped`: `stop()` was called — final.
 */
export type IdleState = 'active' | 'warning' | 'timedOut' | 'stopped';

/** Payloads of an idle watch's events. */
export interface IdleEvents {
  /**
   * The deadline is near: show "you will be signed out in …". `remainingMs` is the time left when the warning began;
   * `deadline` (ms since the epoch, this browser's clock) lets a countdown compute it at any moment.
   */
  warning: { remainingMs: number; deadline: number };
  /** Activity in some tab of the app, or `extend()` in any of them, ended the warning. */
  warningCancelled: { deadline: number };
  /**
   * The app timed out: this tab's user is being signed out. `decidedHere` is true in exactly one tab of the app —
   * the one that decided, and the only one that continues with RP-initiated logout when asked to.
   */
  timeout: { decidedHere: boolean };
  /** The watch moved to another {@link IdleState}. */
  state: { state: IdleState; previous: IdleState };
}

/** The name of an idle watch's event. */
export type IdleEventName = keyof IdleEvents;
/** A handler of the idle watch's event `E`. */
export type IdleEventHandler<E extends IdleEventName> = (payload: IdleEvents[E]) => void;

/** The handle `watchIdle` returns. */
export interface IdleWatch {
  /** Where the watch is now (the `state` event tells each change). */
  readonly state: IdleState;
  /** The app's shared deadline (ms since the epoch), or `undefined` once the watch is over. */
  readonly deadline: number | undefined;
  /** Milliseconds left before the timeout (0 once over): for a countdown. */
  remainingMs(): number;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends IdleEventName>(event: E, handler: IdleEventHandler<E>): () => void;
  /** "Stay signed in": counts as activity now, in every tab of the app; ends a warning. No effect once over. */
  extend(): void;
  /** Removes every listener and timer of this tab's watch; the other tabs' watches go on. Idempotent. */
  stop(): void;
}
