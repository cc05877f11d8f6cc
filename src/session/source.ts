import type { Recheck, RecheckResult, SessionInfo } from '../monitor/types.js';
import type { RenewalPort } from './renewal-port.js';

/**
 * One integration's view of the app's session, shared by the monitor, `logout()` and the front-channel receiver:
 * an oidc-client-ts `UserManager`, or the app's own client with its own `prompt=none` re-check.
 */
export interface SessionSource {
  /** The issuer without trailing slashes, as used in storage keys and channel names. */
  readonly issuer: string;
  readonly clientId: string;
  /** Where the OP sends the browser after logout, when the integration configures one. */
  readonly postLogoutRedirectUri?: string;
  resolveCheckSessionIframe(): Promise<string | undefined>;
  resolveEndSessionEndpoint(): Promise<string | undefined>;
  /** The current local session, or `null` when nobody is signed in. */
  getSession(): Promise<SessionInfo | null>;
  recheck: Recheck;
  /**
   * Stores the tokens of a re-check result the monitor accepted (same user, or a sign-in seen anonymously), but only
   * while the store still holds `expectedSub` (`''`: nobody): another tab sharing the store may have changed it.
   */
  accept?(result: Extract<RecheckResult, { kind: 'authenticated' }>, expectedSub: string): Promise<void>;
  /** Removes the local user; with `expectedSub`, only if the store still holds that user. */
  removeUser(expectedSub?: string): Promise<void>;
  /** The client's token renewal, which the monitor coordinates across tabs (an oidc-client-ts `UserManager`). */
  renewal?: RenewalPort;
  /** Monitoring ended: removes what the source keeps for it (the re-check's iframes). */
  dispose?(): void;
}
