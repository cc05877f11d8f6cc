/** What renewal needs to know of a stored sign-in. */
export interface StoredTokens {
  sub: string;
  accessToken: string;
  /** When the access token expires, in seconds since the epoch as this browser counted them (`undefined`: never). */
  expiresAt: number | undefined;
}

/** The app's OIDC client, as renewal sees it (an oidc-client-ts `UserManager` in `session/user-manager.ts`). */
export interface RenewalPort {
  /**
   * Stops the client's own timer-driven renewal and calls `onExpiring` on its "access token expiring" event instead.
   * Returns the function that gives renewal back, or `undefined` when the client does not renew by itself.
   */
  takeOver(onExpiring: () => void): (() => void) | undefined;
  /** Seconds before expiry at which the client calls for renewal. */
  readonly expiringWindow: number;
  /** What the (possibly shared) store holds now. */
  read(): Promise<StoredTokens | null>;
  /** Renews — with the stored refresh token, else `prompt=none` in an iframe — and stores the result. */
  renew(): Promise<void>;
  /** Makes this tab use what the store holds: the client's expiry timers and the app's "user loaded" event. */
  adopt(): Promise<void>;
  /** Calls `handler` each time the client loads a user; returns the unsubscribe function. */
  onLoaded(handler: (tokens: StoredTokens) => void): () => void;
}
