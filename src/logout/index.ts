export { buildLogoutUrl } from './build-logout-url.js';
export { buildLogoutForm, type LogoutForm } from './build-logout-form.js';
export { type LogoutRequestParams, LOGOUT_PARAMETER_NAMES } from './logout-request-fields.js';
export { type LogoutMethod, MAX_GET_URL_LENGTH, chooseLogoutMethod } from './choose-logout-method.js';
export { type LogoutNavigation, createDomLogoutNavigation } from './logout-navigation.js';
export {
  DEFAULT_LOGOUT_STATE_MAX_AGE_MS,
  LOGOUT_STATE_STORAGE_KEY,
  MAX_PENDING_STATES,
  consumeLogoutState,
  saveLogoutState,
} from './logout-state-store.js';
export { randomState } from './random-state.js';
export {
  type HandleLogoutCallbackOptions,
  type LogoutCallbackResult,
  handleLogoutCallback,
} from './handle-logout-callback.js';
export {
  type PerformLogoutOptions,
  type PerformLogoutPorts,
  type PerformLogoutResult,
  performLogout,
} from './perform-logout.js';
export {
  type FrontChannelLogoutResult,
  type HandleFrontChannelLogoutOptions,
  handleFrontChannelLogout,
} from './handle-front-channel-logout.js';
export { type SessionClaims, decodeIdTokenClaims } from './decode-id-token-claims.js';
export type { AddressBar, Clock, KeyValueStorage, RandomSource } from './ports.js';
