import type { RenewalPort, StoredTokens } from '../session/renewal-port.js';
import type { LockManagerLike } from './leadership.js';

/** What one tab does with the lock: renew, use what another tab renewed, or nothing. */
export type RenewalStep = 'renew' | 'adopt' | 'none';

/**
 * The decision of a tab that holds the renewal lock for a user. `seen` is what the store held when this tab's expiry
 * timer fired, `stored` what it holds now, `loaded` the access token this tab last used, `failed` the one whose
 * renewal already failed in this tab.
 *
 * - Another user, or nobody, in the store: none of this tab's business (the monitor deals with sign-outs and user
 *   switches).
 * - The token this tab saw is still there and about to expire: renew — once per token: a renewal that failed is
 *   followed by a re-check, not retried on the same token, so a dead refresh token cannot hammer the OP.
 * - Anything else that this tab has not used yet: another tab renewed; use its tokens, with no request.
 *
 * Expiry is judged on this browser's own clock against the time this browser stored with the token, never the OP's
 * clock; tokens whose lifetime is shorter than the expiring window look expiring at once, and then only the lock's
 * "the token changed while I waited" spares a request. `retry`: this tab's earlier renewal of `seen` failed with an
 * unknown outcome, and the page is used again.
 */
export function renewalStep(
  seen: StoredTokens | null,
  stored: StoredTokens | null,
  loaded: string | undefined,
  failed: string | undefined,
  nowSeconds: number,
  expiringWindow: number,
  retry = false,
): RenewalStep {
  if (!seen || !stored || stored.sub !== seen.sub) return 'none';
  // oidc-client-ts counts in whole seconds: one more second of slack, so that a timer that fires on time counts. A
  // retry of a failed renewal needs no clock: that token is known to need one.
  const expiring = retry || (stored.expiresAt !== undefined && stored.expiresAt - nowSeconds <= expiringWindow + 1);
  if (stored.accessToken === seen.accessToken && expiring) return stored.accessToken === failed ? 'none' : 'renew';
  return stored.accessToken !== loaded ? 'adopt' : 'none';
}

/** How long a tab waits before it presents a token whose renewal failed once more (the outcome stayed unknown). */
export const RETRY_SECONDS = 30;

/** The wiring of one tab's renewal. */
export interface RenewalDeps {
  port: RenewalPort;
  /** The lock renewals of `sub` share: keyed like leadership (issuer, client, `sub`). */
  lockName(sub: string): string;
  /** Web Locks; without them each tab renews for itself, as the client would. */
  locks: LockManagerLike | undefined;
  /** Tells the app's other tabs that `sub`'s tokens in the store are new. */
  announce(sub: string): void;
  /** The renewal failed: re-check with `prompt=none`; settles when that is over (tokens stored or user removed). */
  failed(error: unknown): Promise<void>;
  /** Seconds since the epoch. */
  nowSeconds(): number;
  /** Resolves when a write to the store has had time to reach the app's other tabs. */
  settle(): Promise<void>;
  /** Calls `handler` when another tab changed this page's storage (`storage` events); returns the unsubscribe function. */
  onStorageChange?(handler: () => void): () => void;
}

/** One tab's part in the app's token renewal. */
export interface Renewal {
  /** The store may hold newer tokens (another tab said so, the page was shown again): use them if it does. */
  check(): void;
  /** Gives renewal back to the client. */
  dispose(): void;
}

/**
 * One token renewal per user per browser. The SDK takes the client's timer-driven renewal over; when a tab's access
 * token is about to expire it asks for one exclusive Web Lock per user (issuer, client, `sub`), and under it looks
 * at the store again: if another tab renewed meanwhile it uses those tokens without a request, otherwise it renews
 * and tells the other tabs, which load the new tokens from the store. Tabs of different users hold different locks
 * and never wait on each other. A failed renewal goes to the OP as a `prompt=none` re-check while the lock is held,
 * so the next tab in line finds its outcome (new tokens, or nobody) instead of presenting the same dead token.
 *
 * Without Web Locks, each tab renews when its own timer fires, as oidc-client-ts does, but still looks at the store
 * first and uses tokens another tab renewed.
 *
 * @see https://w3c.github.io/web-locks/
 * @see https://datatracker.ietf.org/doc/html/rfc9700#section-4.14.2 (refresh token rotation and reuse detection)
 */
export function coordinateRenewal(deps: RenewalDeps): Renewal {
  const { port } = deps;
  /** What this tab uses now. */
  let loaded: StoredTokens | undefined;
  let failed: string | undefined;
  let failedAt = 0;
  let disposed = false;
  const abort = new AbortController();

  const adoptIfNew = async (): Promise<void> => {
    const stored = await port.read();
    // Only this tab's user: another user in a shared store is the monitor's business (a user switch).
    if (disposed || !stored || !loaded || stored.sub !== loaded.sub || stored.accessToken === loaded.accessToken) return;
    loaded = stored;
    await port.adopt();
  };

  const underLock = async (seen: StoredTokens, retry: boolean): Promise<void> => {
    if (disposed) return;
    const stored = await port.read();
    const step = renewalStep(seen, stored, loaded?.accessToken, failed, deps.nowSeconds(), port.expiringWindow, retry);
    if (step === 'adopt') {
      loaded = stored!;
      await port.adopt();
      return;
    }
    if (step === 'none') return;
    try {
      await port.renew();
      loaded = (await port.read()) ?? undefined;
      if (!disposed) deps.announce(seen.sub);
    } catch (error) {
      failed = seen.accessToken;
      failedAt = deps.nowSeconds();
      if (!disposed) await deps.failed(error);
    }
    // What this tab stored must reach the next tab in line before the lock does: Chromium copies localStorage into
    // each renderer process and passes a write on to the others asynchronously, unordered with the lock's hand-over
    // (a tab granted the lock 10 ms later still read the old refresh token, and the OP revoked the grant).
    await deps.settle();
  };

  const onExpiring = (retry = false): void => {
    void (async () => {
      const seen = await port.read();
      if (disposed || !seen) return;
      const { locks } = deps;
      if (!locks || typeof locks.request !== 'function') {
        await underLock(seen, retry);
        return;
      }
      await locks.request(deps.lockName(seen.sub), { signal: abort.signal }, () => underLock(seen, retry));
    })().catch(() => {
      // Withdrawn (dispose) or the store could not be read: the next timer or tab message tries again.
    });
  };

  const stopLoaded = port.onLoaded((tokens) => {
    loaded = tokens;
  });
  const giveBack = port.takeOver(() => onExpiring());
  // The renewing tab's message can arrive before its write to a localStorage store is visible here (Chromium passes
  // writes between processes asynchronously): the write's own `storage` event says when it is.
  const stopStorage = giveBack ? deps.onStorageChange?.(() => void adoptIfNew().catch(() => undefined)) : undefined;
  void port.read().then(
    (stored) => {
      loaded ??= stored ?? undefined;
    },
    () => undefined,
  );

  return {
    check() {
      if (disposed || !giveBack) return;
      // A renewal that failed while the outcome stayed unknown (the OP was down) is tried again when the page is used
      // again — at most once per RETRY_SECONDS, so that a burst of focus events cannot hammer the OP.
      // A clock set back since the failure counts as "long enough", never as "not yet".
      const since = deps.nowSeconds() - failedAt;
      if (failed !== undefined && (since >= RETRY_SECONDS || since < 0)) {
        failed = undefined;
        onExpiring(true);
        return;
      }
      void adoptIfNew().catch(() => undefined);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      abort.abort();
      stopLoaded();
      stopStorage?.();
      giveBack?.();
    },
  };
}
