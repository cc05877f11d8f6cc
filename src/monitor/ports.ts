import type { CheckSessionStatus } from './types.js';

/** The hidden OP iframe, as the state machine sees it. */
export interface OpFrame {
  /** Posts `message` to the OP iframe, with the OP origin as `targetOrigin`. */
  post(message: string): void;
  /** Removes the iframe and its listeners. Idempotent. */
  dispose(): void;
}

/** Callbacks a frame reports to. Replies reach `onReply` only after origin, source and value checks. */
export interface OpFrameCallbacks {
  onLoad(): void;
  onReply(status: CheckSessionStatus): void;
}

/** Creates the OP iframe for `url`. */
export type OpFrameFactory = (url: string, callbacks: OpFrameCallbacks) => OpFrame;

/** Page lifecycle signals the monitor reacts to. */
export type LifecycleSignal = 'visible' | 'hidden' | 'resume';

/**
 * The page's visibility and lifecycle: `visible`/`hidden` from `visibilitychange`, `resume` for `focus`,
 * `online` and a back/forward-cache restore (`pageshow` with `persisted`).
 */
export interface Lifecycle {
  isVisible(): boolean;
  subscribe(handler: (signal: LifecycleSignal) => void): () => void;
}

/**
 * What this browser learned about third-party cookies for one OP and client, kept across page loads so that a
 * reload does not have to re-learn it with a risky re-check.
 */
export interface ThirdPartyMemory {
  /** When blocking was last found (ms since the epoch), or `undefined`. */
  blockedSince(): number | undefined;
  remember(blocked: boolean): void;
}
