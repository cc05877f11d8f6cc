// The bench app: one page, three roles chosen by the server's /config.js `lib`:
//
// - `ours`:  signed in with oidc-client-ts (monitorSession off), watched by oidc-session-monitor's startMonitoring;
// - `ots`:   signed in with oidc-client-ts, watched by oidc-client-ts's own SessionMonitor (monitorSession: true,
//            checkSessionIntervalInSeconds = the same interval);
// - `plain`: oidc-client-ts without any monitoring (the "other app" whose sign-in/sign-out changes the OP session).
//
// Query: `interval` (ms, default 1000), `autostart=0` (do not start monitoring on load), `recheckInterval` and
// `minRecheckInterval` (ours, watching by re-check: an OP without check_session_iframe).
// Everything the harness reads is on `window.bench`; events are plain records without DOM work, so that what is
// measured is the library, not the page.
import { UserManager } from 'oidc-client-ts';
import { config, settings } from './settings.mjs';

const params = new URLSearchParams(window.location.search);
const interval = Number(params.get('interval') ?? 1000);
const autostart = params.get('autostart') !== '0';
const lib = config.lib;
const sdk = lib === 'ours' ? await import('oidc-session-monitor') : undefined;
const idleSdk = lib === 'ours' ? await import('oidc-session-monitor/idle') : undefined;
const now = () => performance.now();
const B = window.__bench;
const OUR_EVENTS = ['status', 'refreshed', 'userChanged', 'signedOut', 'unavailable', 'error', 'state'];

const bench = (window.bench = { lib, config, interval, events: [], sdk, user: null, monitor: undefined, ready: false });

function record(event, detail) {
  bench.events.push({ event, detail, t: Date.now(), p: now() });
}

function createUserManager(monitorSession) {
  const userManager = new UserManager(settings({ monitorSession, checkSessionIntervalInSeconds: interval / 1000 }));
  if (monitorSession) {
    userManager.events.addUserSignedOut(() => record('signedOut'));
    userManager.events.addUserSessionChanged(() => record('refreshed'));
    userManager.events.addUserSignedIn(() => record('signedIn'));
  }
  return userManager;
}

/** Unsubscribe functions of the page's recorders of our events, by event. */
const recorders = {};

const recheck = Object.fromEntries(['recheckInterval', 'minRecheckInterval'].filter((name) => params.has(name)).map((name) => [name, Number(params.get(name))]));

bench.startOurs = (options = {}) => {
  const monitor = sdk.startMonitoring({ userManager: bench.userManager, interval, ...recheck, ...options });
  for (const event of OUR_EVENTS) {
    recorders[event] = monitor.on(event, (payload) => record(event, event === 'error' ? { code: payload.error.code } : payload));
  }
  return monitor;
};

bench.signIn = () => {
  window.sessionStorage.setItem('bench.return', window.location.href);
  void bench.userManager.signinRedirect();
};

/** RP-initiated logout of this app; the moment is kept in localStorage for the other tabs of this origin. */
bench.logout = () => {
  window.localStorage.setItem('bench.logoutAt', String(Date.now()));
  if (lib === 'ours') void sdk.logout({ userManager: bench.userManager });
  else void bench.userManager.signoutRedirect();
};

/** Handlers registered on a UserManager's events (oidc-client-ts keeps them in `_callbacks` arrays). */
bench.userManagerHandlers = (userManager = bench.userManager) => {
  let total = 0;
  const visit = (object) => {
    for (const value of Object.values(object ?? {})) {
      if (value && Array.isArray(value._callbacks)) total += value._callbacks.length;
    }
  };
  visit(userManager.events);
  return total;
};

/**
 * Poll round trip: `n` polls (after `warmup`), one at a time, each posted at once by the library's own code
 * path — ours: `monitor.checkNow()`; oidc-client-ts: `CheckSessionIFrame.start(session_state)` after `stop()`
 * (start posts immediately). Returns per poll: post → reply dispatched at the window (ms), the synchronous
 * time of the post call and the synchronous time of the page's `message` listeners for the reply.
 */
bench.rtt = async (n, warmup) => {
  let prepare = () => {};
  let send;
  if (lib === 'ours') {
    send = () => bench.monitor.checkNow();
  } else {
    const frame = bench.userManager._sessionMonitor?._checkSessionIFrame;
    if (!frame) throw new Error('oidc-client-ts has no CheckSessionIFrame yet');
    const sessionState = frame._session_state;
    prepare = () => frame.stop();
    send = () => frame.start(sessionState);
  }
  // The page's own recorder of our per-poll `status` event (performance.now(), Date.now(), an array push) is app
  // code, not the library's, and oidc-client-ts has no per-poll event: it is off while polls are timed, so that
  // both pages time only their library.
  if (lib === 'ours') recorders.status?.();
  const out = { rtt: [], postSync: [], handlerSync: [], statuses: {} };
  for (let i = 0; i < warmup + n; i++) {
    prepare();
    const reply = B.nextReply(5000);
    const handlerBefore = B.msgTime;
    const t0 = now();
    send();
    const t1 = now();
    const record = await reply;
    // Let every other `message` listener (the library's) run before the next poll.
    await new Promise((resolve) => setTimeout(resolve, 0));
    out.statuses[record.data] = (out.statuses[record.data] ?? 0) + 1;
    if (i < warmup) continue;
    out.rtt.push(record.p - t0);
    out.postSync.push(t1 - t0);
    out.handlerSync.push(B.msgTime - handlerBefore);
  }
  // Keep the event log small (it is part of the heap).
  bench.events.length = 0;
  return out;
};

/**
 * `n` start/stop cycles. Ours: `startMonitoring({ userManager })` with `watchIdle({ userManager })` beside it, wait
 * for the first check_session reply (iframe loaded and polled), `stop()` both. oidc-client-ts: a `UserManager` with `monitorSession: true` (the only
 * way to start its SessionMonitor), wait for the first reply, then `events.unload()` (what a sign-out does to
 * its SessionMonitor; it has no stop or dispose), and drop the manager.
 */
bench.cycles = async (n, replyTimeout = 10000) => {
  let failures = 0;
  const started = now();
  for (let i = 0; i < n; i++) {
    const reply = B.nextReply(replyTimeout).then(
      () => true,
      () => false,
    );
    if (lib === 'ours') {
      const monitor = sdk.startMonitoring({ userManager: bench.userManager, interval });
      const idle = idleSdk.watchIdle({ userManager: bench.userManager, timeout: 15 * 60_000 });
      if (!(await reply)) failures += 1;
      idle.stop();
      monitor.stop();
    } else {
      const userManager = new UserManager(settings({ monitorSession: true, checkSessionIntervalInSeconds: interval / 1000 }));
      if (!(await reply)) failures += 1;
      userManager.events.unload();
    }
  }
  B.replies.length = 0;
  return { failures, ms: now() - started };
};

bench.userManager = createUserManager(lib === 'ots' && autostart);
// Which tokens this tab's app holds, and when it got them (renewal scenario): the end of each token's value.
bench.userManager.events.addUserLoaded((user) => record('userLoaded', { token: user.access_token.slice(-16) }));
bench.userManager.events.addSilentRenewError((error) => record('renewError', { error: error?.error ?? String(error) }));
bench.user = await bench.userManager.getUser();
if (lib === 'ours' && autostart && bench.user) bench.monitor = bench.startOurs();
bench.ready = true;
