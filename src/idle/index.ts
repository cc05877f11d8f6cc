/**
 * `oidc-session-monitor/idle`: the app's idle timeout, with a warning, shared by its tabs. A separate entry, so that
 * apps that do not use it do not download it.
 */
export { watchIdle, DEFAULT_ACTIVITY_EVENTS } from './watch-idle.js';
export type { CustomIdleOptions, IdleTimingOptions, UserManagerIdleOptions, WatchIdleOptions } from './watch-idle.js';
export type { LogoutRequestOptions } from '../index.js';
export type { IdleEventHandler, IdleEventName, IdleEvents, IdleState, IdleWatch } from './types.js';
