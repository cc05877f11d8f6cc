export { buildLogoutUrl } from './buildLogoutUrl.js';
export { buildLogoutForm, type LogoutForm } from './buildLogoutForm.js';
export { type LogoutRequestParams, LOGOUT_PARAMETER_NAMES } from './logoutRequestFields.js';
export { type LogoutMethod, MAX_GET_URL_LENGTH, chooseLogoutMethod } from './chooseLogoutMethod.js';
export { type LogoutNavigation, createDomLogoutNavigation } from './logoutNavigation.js';
export {
  DEFAULT_LOGOUT_STATE_MAX_AGE_MS,
  LOGOUT_STATE_STORAGE_KEY,
  MAX_PENDING_STATES,
  consumeLogoutState,
  saveLogoutState,
} from './logoutStateStore.js';
export { randomState } from './randomState.js';
export {
  type HandleLogoutCallbackOptions,
  type LogoutCallbackResult,
  handleLogoutCallback,
} from './handleLogoutCallback.js';
export {
  type PerformLogoutOptions,
  type PerformLogoutPorts,
  type PerformLogoutResult,
  performLogout,
} from './performLogout.js';
export {
  type FrontChannelLogoutResult,
  type HandleFrontChannelLogoutOptions,
  handleFrontChannelLogout,
} from './handleFrontChannelLogout.js';
export { type SessionClaims, decodeIdTokenClaims } from './decodeIdTokenClaims.js';
export type { AddressBar, Clock, KeyValueStorage, RandomSource } from './ports.js';
