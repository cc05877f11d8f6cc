import { ErrorCode, OidcSessionMonitorError } from './errors.js';
import { createOpFrameFactory } from './frame/op-frame.js';
import { isThirdPartyFrame } from './frame/third-party.js';
import { storedCookieMemory } from './monitor/cookie-memory.js';
import { takeLastSessionState } from './monitor/last-session-state.js';
import { createMonitor } from './monitor/monitor.js';
import { MONITOR_KEYS, readConfig, readSiteOptions, type CustomMonitorOptions, type SettingsMonitorOptions, type StartMonitoringOptions, type UserManagerMonitorOptions } from './monitor/options.js';
import { pageLifecycle } from './monitor/page-lifecycle.js';
import { rejectUnknownOptions } from './reject-unknown-options.js';
import { systemClock } from './platform.js';
import { registerMonitor, unregisterMonitor } from './monitor/registry.js';
import type { SessionMonitor } from './monitor/types.js';
import { appKey } from './session/keys.js';
import { sourceFromCustom, sourceFromSettings, sourceFromUserManager } from './session/sources.js';
import { createTabSync } from './tabs/tab-sync.js';

export type { CustomMonitorOptions, MonitorOptions, SettingsMonitorOptions, StartMonitoringOptions, UserManagerMonitorOptions } from './monitor/options.js';

/**
 * Starts monitoring the End-User's session at the OP through the OP's `check_session_iframe`.
 *
 * Options are validated synchronously (a `TypeError` names the option); everything after that is reported
 * through the returned monitor's events. Starting a second monitor for the same issuer and client replaces
 * the first one cleanly.
 *
 * @see https://openid.net/specs/openid-connect-session-1_0.html#ChangeNotification
 */
export function startMonitoring(options: StartMonitoringOptions): SessionMonitor {
  if (typeof options !== 'object' || options === null) throw new TypeError('startMonitoring needs an options object.');
  if (typeof window === 'undefined' || typeof document === 'undefined') {
    throw new TypeError('startMonitoring runs in a browser page: there is no window here.');
  }
  const raw = options as unknown as Record<string, unknown>;
  const modes = (['userManager', 'authority', 'recheck'] as const).filter((name) => raw[name] !== undefined);
  if (modes.length !== 1) {
    throw new TypeError('Give exactly one of userManager, authority (settings for a UserManager) or recheck (your own prompt=none re-check).');
  }
  rejectUnknownOptions('startMonitoring', raw, MONITOR_KEYS[modes[0]!]);
  const config = readConfig(raw);
  const { allowInsecureHttp, sameSite, frameUrl } = readSiteOptions(raw);
  const source =
    modes[0] === 'userManager'
      ? sourceFromUserManager(options as UserManagerMonitorOptions, allowInsecureHttp)
      : modes[0] === 'authority'
        ? sourceFromSettings(options as SettingsMonitorOptions, allowInsecureHttp)
        : sourceFromCustom(options as CustomMonitorOptions, allowInsecureHttp);
  const onSignedOut = modes[0] === 'recheck' ? (options as CustomMonitorOptions).onSignedOut : undefined;
  const { issuer, clientId } = source;

  const lifecycle = pageLifecycle();
  const tabs = createTabSync(source, lifecycle);
  const monitor = createMonitor({
    clientId,
    config,
    resolveCheckSessionIframe: async () => {
      const url = await source.resolveCheckSessionIframe();
      if (url === undefined || !frameUrl) return url;
      try {
        return frameUrl(url);
      } catch (cause) {
        // The app's own function: retrying would fail the same way.
        throw new OidcSessionMonitorError(ErrorCode.InvalidMetadata, `frameUrl threw: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
      }
    },
    isCrossSite: (url) => isThirdPartyFrame(url, sameSite, window),
    allowInsecureHttp,
    getSession: () => source.getSession(),
    createFrame: createOpFrameFactory(),
    recheck: source.recheck,
    ...(source.accept ? { accept: (result, sub) => source.accept!(result, sub) } : {}),
    signOutLocally: async (reason, sub) => {
      await source.removeUser(sub);
      await onSignedOut?.(reason);
    },
    clock: systemClock,
    random: Math.random,
    lifecycle,
    cookieMemory: storedCookieMemory(appKey('cookies', issuer, clientId)),
    takeLastSessionState: () => takeLastSessionState(issuer, clientId),
    broadcast: tabs.broadcast,
    watch: tabs.watch,
  });
  tabs.attach(monitor);
  const release = (): void => {
    tabs.close();
    unregisterMonitor(issuer, clientId, monitor);
  };
  monitor.on('state', ({ state }) => {
    if (state === 'stopped') release();
  });
  // An anonymous monitor goes on watching after a sign-out; otherwise this is the end of this tab's monitoring.
  // Released right after the app's own handlers have run (a microtask, so no message from another tab can come
  // in between): closing the channel and the lock costs a fraction of a millisecond the app need not wait for.
  if (!config.anonymous) monitor.on('signedOut', () => queueMicrotask(release));
  registerMonitor(issuer, clientId, monitor);
  monitor.start({ coordinated: tabs.coordinated });
  return {
    get state() {
      return monitor.state;
    },
    on: monitor.on,
    checkNow: monitor.checkNow,
    stop: monitor.stop,
  };
}
