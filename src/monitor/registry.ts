import type { MonitorController } from './monitor.js';

/**
 * Live monitors of this page, by app (issuer and `client_id`). Starting a second monitor for the same app replaces
 * the first cleanly; `logout()` suspends only the monitors of the app it logs out of. One map per page, kept on the
 * global object: the idle timeout's own script (`oidc-session-monitor.idle.iife.min.js`) finds the monitors of the
 * main script's copy of this module there.
 */
const live: Map<string, MonitorController> = ((globalThis as { [key: symbol]: unknown })[Symbol.for('oidc-session-monitor')] ??= new Map()) as Map<string, MonitorController>;

const keyOf = (issuer: string, clientId: string) => JSON.stringify([issuer, clientId]);

export function registerMonitor(issuer: string, clientId: string, monitor: MonitorController): void {
  const key = keyOf(issuer, clientId);
  const previous = live.get(key);
  if (previous && previous !== monitor) previous.stop();
  live.set(key, monitor);
}

export function unregisterMonitor(issuer: string, clientId: string, monitor: MonitorController): void {
  const key = keyOf(issuer, clientId);
  if (live.get(key) === monitor) live.delete(key);
}

/**
 * The live monitor of one app on this page, if any. A monitor started with only a `check_session_iframe` knows
 * its OP by origin, so a logout that names the full issuer still finds it.
 */
export function monitorOf(issuer: string, clientId: string): MonitorController | undefined {
  const exact = live.get(keyOf(issuer, clientId));
  if (exact) return exact;
  let origin: string;
  try {
    origin = new URL(issuer).origin;
  } catch {
    return undefined;
  }
  return live.get(keyOf(origin, clientId));
}
