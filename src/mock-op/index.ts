/**
 * A spec-faithful mock OpenID Provider for tests and demos (Node only).
 *
 * @see https://openid.net/specs/openid-connect-session-1_0.html
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html
 * @see https://openid.net/specs/openid-connect-frontchannel-1_0.html
 * @packageDocumentation
 */
export { startMockOp } from './server.js';
export { computeSessionState } from './session-state.js';
export { createSelfSignedCertificate } from './tls.js';
export { PROFILES as MOCK_OP_PROFILES } from './profiles.js';
export type {
  MockOp,
  MockOpClient,
  MockOpOptions,
  MockOpOutage,
  MockOpProfile,
  MockOpRequest,
  MockOpUser,
  SessionStateMode,
} from './types.js';
