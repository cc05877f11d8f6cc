/**
 * Stable error codes. Every error this SDK raises or reports carries one of these in `code`,
 * so apps can branch on a string that will not change between releases.
 */
export const ErrorCode = {
  /** Discovery failed or returned a document that cannot be used (network, 5xx, bad JSON). */
  DiscoveryFailed: 'discovery_failed',
  /**
   * The OP's metadata names a URL this SDK must not use (`end_session_endpoint` or the re-check's
   * `authorization_endpoint` not https, or a script URL): nothing was sent there.
   */
  InvalidMetadata: 'invalid_metadata',
  /** The `prompt=none` re-check did not finish in time: the session is unknown, not ended. */
  RecheckTimeout: 'recheck_timeout',
  /** The `prompt=none` re-check failed for a reason that says nothing about the session (network, OP error). */
  RecheckFailed: 'recheck_failed',
  /** Renewing the tokens failed (`invalid_grant`, network, timeout): a `prompt=none` re-check follows and tells what it means. */
  RenewalFailed: 'renewal_failed',
  /**
   * The OP answered the `prompt=none` re-check at a page of the app that did not pass the answer back: the
   * `silent_redirect_uri` is missing (oidc-client-ts then uses `redirect_uri`) or its page does not call
   * `signinSilentCallback()`. The session is unknown, not ended.
   */
  SilentCallbackMissing: 'silent_callback_missing',
  /** `logout()` found no `end_session_endpoint`; the local sign-out still happened. */
  NoEndSessionEndpoint: 'no_end_session_endpoint',
  /** The post-logout callback carried no `state` although one was sent. */
  LogoutStateMissing: 'logout_state_missing',
  /** The post-logout callback carried a `state` that this browser did not send (or already used). */
  LogoutStateMismatch: 'logout_state_mismatch',
  /** The post-logout callback's `state` was issued too long ago. */
  LogoutStateExpired: 'logout_state_expired',
  /** A front-channel logout request was malformed (`iss` without `sid`, or the reverse). */
  FrontChannelInvalid: 'front_channel_invalid',
  /** Browser storage needed for the logout `state` threw (disabled, full, or blocked), so the state could not be kept or checked. */
  StorageUnavailable: 'storage_unavailable',
} as const;

/** The closed union of error codes. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The one error class of this SDK. Option errors are plain `TypeError`s: thrown synchronously by the synchronous
 * entry points (`startMonitoring…`, `watchIdle`, `buildLogoutUrl`), the rejection of the promise of the asynchronous
 * ones (`logout`, `handleLogoutCallback`, `handleFrontChannelLogout`);
 * everything else is an `OidcSessionMonitorError` with a stable {@link ErrorCode}. Its message is short and ends
 * with the anchor of the README's troubleshooting row for its code (`see README.md#recheck_timeout`), which
 * explains the likely causes and the fix once.
 */
export class OidcSessionMonitorError extends Error {
  override readonly name = 'OidcSessionMonitorError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${message} (see README.md#${code})`, options);
    this.code = code;
  }
}

/** True when `value` is an {@link OidcSessionMonitorError}, optionally with the given code. */
export function isOidcSessionMonitorError(value: unknown, code?: ErrorCode): value is OidcSessionMonitorError {
  return value instanceof OidcSessionMonitorError && (code === undefined || value.code === code);
}
