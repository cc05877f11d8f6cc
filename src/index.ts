export { startMonitoring } from './start-monitoring.js';
export type {
  CustomMonitorOptions,
  MonitorTimingOptions,
  SettingsMonitorOptions,
  StartMonitoringOptions,
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
} from './monitor/types.js';
export { ErrorCode, OidcSessionMonitorError, isOidcSessionMonitorError } from './errors.js';
