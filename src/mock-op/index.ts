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
export type {
  MockOp,
  MockOpClient,
  MockOpOptions,
  MockOpOutage,
  MockOpRequest,
  MockOpUser,
  SessionStateMode,
} from './types.js';
