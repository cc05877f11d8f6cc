/**
 * `oidc-session-monitor/react`: session monitoring (and the idle timeout) as React state, for apps on
 * react-oidc-context or any oidc-client-ts `UserManager`. A separate entry: apps without React do not download it.
 */
export { useSessionMonitor } from './use-session-monitor.js';
export type { SessionMonitorSnapshot, UseSessionMonitorOptions } from './use-session-monitor.js';
