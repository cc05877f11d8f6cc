/** The subset of the Web Locks API that leader election needs (`navigator.locks`). */
export interface LockManagerLike {
  request(name: string, options: { signal?: AbortSignal; steal?: boolean }, callback: (lock: unknown) => Promise<void> | void): Promise<unknown>;
  query?(): Promise<{ pending?: Array<{ name?: string; clientId?: string }>; held?: Array<{ name?: string }> }>;
}

/** Which tab of an app owns the OP iframe and the re-checks. */
export interface Leadership {
  /** Starts competing; `onChange(true)` when this tab leads, `onChange(false)` when it stops leading. */
  start(onChange: (leading: boolean) => void): void;
  /** Leads now, taking over from another tab (this tab became visible). */
  claim(): void;
  /** Lets a waiting tab lead instead, if there is one (this tab became hidden). */
  yieldToWaiting(): Promise<void>;
  dispose(): void;
}

/**
 * Leader election over Web Locks: every tab asks for one exclusive lock per app; the holder leads until it
 * closes, stops, or hands over. A tab the user is looking at takes the lock over (`steal`), so the leader is
 * the visible tab whenever there is one. Returns `undefined` where Web Locks are missing: each tab then
 * monitors alone.
 *
 * @see https://w3c.github.io/web-locks/
 */
export function createLeadership(name: string, locks: LockManagerLike | undefined = globalThis.navigator?.locks as LockManagerLike | undefined): Leadership | undefined {
  if (!locks || typeof locks.request !== 'function') return undefined;
  const manager = locks;
  let onChange: ((leading: boolean) => void) | undefined;
  let leading = false;
  let disposed = false;
  let attempt = 0;
  let waiting: AbortController | undefined;
  let releaseHeld: (() => void) | undefined;

  const setLeading = (next: boolean): void => {
    if (leading === next) return;
    leading = next;
    // Stryker disable next-line OptionalChaining: start() sets onChange before the first request, and after dispose() no grant or settlement reaches setLeading (disposed, or a stale attempt)
    onChange?.(next);
  };

  function request(steal: boolean): void {
    if (disposed) return;
    // Stryker disable next-line UpdateOperator: counting down also gives each request a value no earlier one had; only dispose()'s bump could meet an old value, and after dispose every path is inert
    const mine = ++attempt;
    waiting?.abort();
    const abort = new AbortController();
    waiting = steal ? undefined : abort;
    // `steal` and `signal` cannot be combined (Web Locks §4.1).
    const options = steal ? { steal: true } : { signal: abort.signal };
    let refused = false;
    manager
      .request(name, options, () => {
        if (disposed || mine !== attempt) return undefined;
        waiting = undefined;
        setLeading(true);
        return new Promise<void>((resolve) => {
          releaseHeld = resolve;
        });
      })
      .catch((error: unknown) => {
        // AbortError: our queued request was withdrawn, or another tab stole the lock from us. Anything else is the
        // browser refusing Web Locks to this document (SecurityError in an opaque origin, InvalidStateError).
        refused = (error as { name?: unknown } | null)?.name !== 'AbortError';
      })
      .then(() => {
        if (mine !== attempt) return;
        releaseHeld = undefined;
        if (refused) {
          // Asking again would be refused again, at once, for ever (a loop that freezes the page): monitor alone, as
          // where Web Locks are missing.
          setLeading(true);
          return;
        }
        setLeading(false);
        // Queue again, so this tab can take over when the leader goes away.
        if (!disposed) request(false);
      });
  }

  return {
    start(handler) {
      onChange = handler;
      request(false);
    },
    claim() {
      if (leading || disposed) return;
      request(true);
    },
    async yieldToWaiting() {
      if (!leading || disposed || !releaseHeld) return;
      // Only hand over when another tab is queued; otherwise this tab would just take the lock back.
      const snapshot = await manager.query?.().catch(() => undefined);
      const othersWait = snapshot?.pending?.some((lock) => lock.name === name) ?? false;
      if (!othersWait || !leading) return;
      // Stryker disable next-line OptionalChaining: leading was checked just above, and a leading tab has releaseHeld once its lock callback returned, which it has by the time any await resumes
      releaseHeld?.();
    },
    dispose() {
      disposed = true;
      // Stryker disable next-line AssignmentOperator: any change makes in-flight settlements stale; one that matched again would only clear what dispose() clears (leading false, no onChange, no re-queue once disposed)
      attempt += 1;
      waiting?.abort();
      releaseHeld?.();
      releaseHeld = undefined;
      // Stryker disable next-line BooleanLiteral: after dispose() leading is read only behind disposed checks (claim, yieldToWaiting) or in setLeading, which no stale grant or settlement reaches
      leading = false;
      onChange = undefined;
    },
  };
}
