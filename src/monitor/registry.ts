import type { MonitorController } from './monitor.js';

/**
 * Live monitors of this page, by app key (issuer or iframe URL + client_id). Starting a second monitor for the
 * same app replaces the first cleanly; `logout()` pauses them all before it navigates.
 */
const live = new Map<string, MonitorController>();

export function registerMonitor(key: string, monitor: MonitorController): void {
  const previous = live.get(key);
  if (previous && previous !== monitor) previous.stop();
  live.set(key, monitor);
}

export function unregisterMonitor(key: string, monitor: MonitorController): void {
  if (live.get(key) === monitor) live.delete(key);
}

export function liveMonitors(): MonitorController[] {
  return [...live.values()];
}
