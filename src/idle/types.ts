/**
 * Where an idle watch is. `inactive`: nobody is signed in (or the user is not read yet) — nothing to time out;
 * `active`: the user was active recently enough; `warning`: the timeout is within the warning lead time (every tab of
 * the user is in this state at once); `unavailable`: this tab can reach the user's other tabs neither through storage
 * (blocked or full) nor through BroadcastChannel, so it cannot know their activity and signs nobody out (it goes back
 * to `active` when storage works again); `timedOut`: the user timed out and this tab's user was signed out — final;
 * `stopped`: `stop()` was called — final.
 */
export type IdleState = 'inactive' | 'active' | 'warning' | 'unavailable' | 'timedOut' | 'stopped';

/** Payloads of an idle watch's events. */
export interface IdleEvents {
  /**
   * The timeout is near: show "you will be signed out in …". `remainingMs` is the time left when the warning began;
   * `deadline` is when that is on this browser's clock (ms since the epoch) — should the clock be set, `remainingMs()`
   * of the watch stays right: a countdown should read that.
   */
  warning: { remainingMs: number; deadline: number };
  /** Activity in some tab of the user, or `extend()` in any of them, ended the warning. */
  warningCancelled: { deadline: number };
  /**
   * The user timed out: this tab's user is being signed out. `decidedHere` is true in exactly one tab of the user —
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
  /**
   * When the timeout comes if nobody is active, on this browser's clock now (ms since the epoch); `undefined` while
   * `inactive` and once the watch is over.
   */
  readonly deadline: number | undefined;
  /** Milliseconds left before the timeout (0 while `inactive` and once over): for a countdown. */
  remainingMs(): number;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends IdleEventName>(event: E, handler: IdleEventHandler<E>): () => void;
  /** "Stay signed in": counts as activity now, in every tab of the user; ends a warning. No effect once over. */
  extend(): void;
  /** Removes every listener and timer of this tab's watch; the other tabs' watches go on. Idempotent. */
  stop(): void;
}
