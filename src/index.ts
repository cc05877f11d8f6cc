export { startMonitoring, startMonitoringWithRecheck, startMonitoringWithSettings } from './start-monitoring.js';
export type {
  CustomMonitorOptions,
  MonitorOptions,
  SettingsMonitorOptions,
  UserManagerMonitorOptions,
} from './start-monitoring.js';
export type {
  CheckSessionStatus,
  ErrorStatusPolicy,
  MonitorEventHandler,
  MonitorEventName,
  MonitorEvents,
  MonitorState,
  Recheck,
  RecheckContext,
  RecheckResult,
  SessionMonitor,
  SignedOutError,
  SignedOutReason,
  UnavailableReason,
  WatchMode,
} from './monitor/types.js';
export { ErrorCode, OidcSessionMonitorError, isOidcSessionMonitorError } from './errors.js';
export { MONITOR_EVENTS } from './monitor/types.js';
export { logout, handleFrontChannelLogout } from './logout/public.js';
export type { CustomLogoutOptions, FrontChannelLogoutOptions, LogoutOptions, LogoutRequestOptions, UserManagerLogoutOptions } from './logout/public.js';
export { handleLogoutCallback } from './logout/handle-logout-callback.js';
export type { HandleLogoutCallbackOptions, LogoutCallbackResult } from './logout/handle-logout-callback.js';
export { buildLogoutUrl } from './logout/build-logout-url.js';
export type { LogoutRequestParams } from './logout/logout-request-fields.js';
export type { FrontChannelLogoutResult } from './logout/handle-front-channel-logout.js';
export type { LogoutResult } from './logout/perform-logout.js';
export type { LogoutMethod } from './logout/choose-logout-method.js';
