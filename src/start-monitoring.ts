import { ErrorCode, OidcSessionMonitorError } from './errors.js';
import { createOpFrameFactory } from './frame/op-frame.js';
import { isThirdPartyFrame } from './frame/third-party.js';
import { storedCookieMemory } from './monitor/cookie-memory.js';
import { takeLastSessionState } from './monitor/last-session-state.js';
import { createMonitor, type MonitorController } from './monitor/monitor.js';
import { MONITOR_KEYS, readConfig, readSiteOptions, type CustomMonitorOptions, type SettingsMonitorOptions, type UserManagerMonitorOptions } from './monitor/options.js';
import { pageLifecycle } from './monitor/page-lifecycle.js';
import { rejectUnknownOptions } from './reject-unknown-options.js';
import { systemClock } from './platform.js';
import { registerMonitor, unregisterMonitor } from './monitor/registry.js';
import type { SessionMonitor } from './monitor/types.js';
import { appKey } from './session/keys.js';
import type { SessionSource } from './session/source.js';
import type { TabMessage } from './tabs/messages.js';
import { sourceFromCustom, sourceFromSettings, sourceFromUserManager } from './session/sources.js';
import type { LockManagerLike } from './tabs/leadership.js';
import { coordinateRenewal, type Renewal } from './tabs/renewal.js';
import { createTabSync } from './tabs/tab-sync.js';

export type { CustomMonitorOptions, MonitorOptions, SettingsMonitorOptions, UserManagerMonitorOptions } from './monitor/options.js';

type Mode = keyof typeof MONITOR_KEYS;

/** The entry point of each way of reaching the session, named in the error for options of another way. */
const ENTRY: Record<Mode, string> = { userManager: 'startMonitoring', authority: 'startMonitoringWithSettings', recheck: 'startMonitoringWithRecheck' };

/** The shared first checks of the three entry points; returns the options as a record. */
function checked(where: string, options: unknown, mode: Mode): Record<string, unknown> {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where} needs an options object.`);
  if (typeof window === 'undefined' || typeof document === 'undefined') throw new TypeError(`${where} runs in a browser page: there is no window here.`);
  const raw = options as Record<string, unknown>;
  if (raw[mode] === undefined) {
    const other = (Object.keys(ENTRY) as Mode[]).find((key) => key !== mode && raw[key] !== undefined);
    throw new TypeError(`${where} needs ${mode}${other ? `; for ${other} use ${ENTRY[other]}` : ''}.`);
  }
  rejectUnknownOptions(where, raw, MONITOR_KEYS[mode]);
  return raw;
}

/**
 * Starts monitoring the session of the user signed in with the app's oidc-client-ts `UserManager`, through the OP's
 * `check_session_iframe`.
 *
 * Options are validated synchronously (a `TypeError` names the option); everything after that is reported
 * through the returned monitor's events. Starting a second monitor for the same issuer and client replaces
 * the first one cleanly. Apps without a `UserManager` use {@link startMonitoringWithSettings} or
 * {@link startMonitoringWithRecheck}; each entry point brings only its own integration into the app's bundle.
 *
 * @see https://openid.net/specs/openid-connect-session-1_0.html#ChangeNotification
 */
export function startMonitoring(options: UserManagerMonitorOptions): SessionMonitor {
  return wire(checked('startMonitoring', options, 'userManager'), (allowInsecureHttp) => sourceFromUserManager(options, allowInsecureHttp));
}

/**
 * Starts monitoring like {@link startMonitoring}, with a `UserManager` the SDK creates from the app's settings
 * (oidc-client-ts is loaded on demand).
 */
export function startMonitoringWithSettings(options: SettingsMonitorOptions): SessionMonitor {
  return wire(checked('startMonitoringWithSettings', options, 'authority'), (allowInsecureHttp) => sourceFromSettings(options, allowInsecureHttp));
}

/**
 * Starts monitoring the session of another OIDC client (keycloak-js, the app's own code), with the app's own
 * `prompt=none` re-check.
 */
export function startMonitoringWithRecheck(options: CustomMonitorOptions): SessionMonitor {
  return wire(checked('startMonitoringWithRecheck', options, 'recheck'), (allowInsecureHttp) => sourceFromCustom(options, allowInsecureHttp), options.onSignedOut);
}

/** The wiring shared by the entry points: one monitor for the session source, with its tabs, frame and page lifecycle. */
function wire(raw: Record<string, unknown>, sourceOf: (allowInsecureHttp: boolean) => SessionSource, onSignedOut?: CustomMonitorOptions['onSignedOut']): SessionMonitor {
  const config = readConfig(raw);
  const { allowInsecureHttp, sameSite, frameUrl } = readSiteOptions(raw);
  const source = sourceOf(allowInsecureHttp);
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
    issuer,
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
  const renewal = source.renewal ? renewalOf(source, monitor, tabs.broadcast, (url) => isThirdPartyFrame(url, sameSite, window)) : undefined;
  tabs.attach(monitor, renewal?.check);
  const release = (): void => {
    renewal?.dispose();
    tabs.close();
    source.dispose?.();
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

/** How long the renewing tab keeps the lock after writing the store (see `settle` in tabs/renewal.ts). */
const RENEWAL_SETTLE_MS = 250;

/**
 * The source's token renewal, one per user per browser (see {@link coordinateRenewal}); a failed renewal becomes the
 * monitor's `prompt=none` re-check, told whether the OP is another site (where a sign-out answer cannot be believed
 * without the polling tab's cookie evidence).
 */
function renewalOf(source: SessionSource, monitor: MonitorController, broadcast: (message: TabMessage) => void, isCrossSite: (url: string) => boolean): Renewal {
  const { issuer, clientId } = source;
  const locks = globalThis.navigator?.locks as LockManagerLike | undefined;
  if (typeof locks?.request !== 'function') {
    console.warn(
      'oidc-session-monitor: no Web Locks here, so tabs sharing a userStore renew each on its own and may race their refresh tokens. Use a per-tab userStore (sessionStorage) in such browsers.',
    );
  }
  return coordinateRenewal({
    port: source.renewal!,
    lockName: (sub) => appKey('renew', issuer, clientId, sub),
    locks,
    announce: (sub) => broadcast({ type: 'renewed', sub }),
    async failed(error) {
      const url = await source.resolveCheckSessionIframe().catch(() => undefined);
      const oauth = (error as { error?: unknown } | null)?.error;
      const why = typeof oauth === 'string' ? oauth : error instanceof Error ? error.message : String(error);
      await monitor.renewalFailed(new OidcSessionMonitorError(ErrorCode.RenewalFailed, `token renewal failed (${why}): re-checking with prompt=none`, { cause: error }), isCrossSite(url ?? issuer));
    },
    nowSeconds: () => Math.floor(systemClock.now() / 1000),
    settle: () => new Promise((resolve) => systemClock.setTimeout(resolve, RENEWAL_SETTLE_MS)),
    onStorageChange(handler) {
      window.addEventListener('storage', handler);
      return () => window.removeEventListener('storage', handler);
    },
  });
}
