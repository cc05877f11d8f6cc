import type { UnavailableReason } from '../../src/monitor/types.js';

/**
 * Every `unavailable` reason, listed through a Record so that a reason added to the type must be added here too (the
 * compiler refuses a missing key): tests that must cover them all (the README's rows, the tab messages) read it.
 */
export const UNAVAILABLE_REASONS: readonly UnavailableReason[] = Object.keys({
  unsupported: true,
  'no-session-state': true,
  'not-signed-in': true,
  'discovery-failed': true,
  'invalid-metadata': true,
  'frame-timeout': true,
  'no-reply': true,
  'error-status': true,
  'loop-guard': true,
  'third-party-cookies-blocked': true,
} satisfies Record<UnavailableReason, true>) as UnavailableReason[];
