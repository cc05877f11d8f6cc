import * as sdk from 'oidc-session-monitor';
import { watchIdle } from 'oidc-session-monitor/idle';

const { startMonitoring, logout } = sdk;
import { config, createUserManager } from './oidc.js';

const userManager = createUserManager(config);
const $ = (id) => document.getElementById(id);
document.title = `Demo app ${config.name}`;
$('app-name').textContent = config.name;

// What the e2e tests (and curious people in the console) read.
const demo = (window.demo = { events: [], monitor: undefined, idle: undefined, userManager, sdk, config });

function log(event, detail) {
  const entry = { event, detail, at: new Date().toISOString() };
  demo.events.push(entry);
  const item = document.createElement('li');
  item.dataset.event = event;
  const shown = event === 'status' ? detail.status : event === 'state' ? `${detail.previous} → ${detail.state}` : detail ? JSON.stringify(detail) : '';
  item.textContent = `${entry.at.slice(11, 23)}  ${event}  ${shown}`;
  $('log').prepend(item);
}

async function render() {
  const user = await userManager.getUser();
  $('user').textContent = user ? `${user.profile.name ?? user.profile.sub} (sub ${user.profile.sub})` : 'signed out';
  $('session-state').textContent = user?.session_state ?? '—';
  $('state').textContent = demo.monitor?.state ?? 'not monitoring';
  $('idle-state').textContent = demo.idle ? demo.idle.state : config.idle ? 'not watching' : 'off';
  $('sign-in').hidden = Boolean(user);
  $('sign-out').hidden = !user;
  $('check-now').hidden = !user;
}

// Some OPs want more in the check_session_iframe URL than discovery publishes: WSO2 Identity Server needs
// `?client_id=` (it serves the iframe for that client's callback origin). `frameUrl` adds it.
function frameUrl(query) {
  return (url) => {
    const withQuery = new URL(url);
    for (const [name, value] of Object.entries(query)) withQuery.searchParams.set(name, value);
    return withQuery.href;
  };
}

function monitor() {
  demo.monitor = startMonitoring({ userManager, ...config.monitor, ...(config.checkSessionQuery ? { frameUrl: frameUrl(config.checkSessionQuery) } : {}) });
  for (const event of ['status', 'refreshed', 'userChanged', 'signedOut', 'signedIn', 'unavailable', 'error', 'state']) {
    demo.monitor.on(event, (payload) => {
      log(event, event === 'error' ? { code: payload.error.code, message: payload.error.message } : payload);
      void render();
    });
  }
}

// The idle timeout: every tab of the app shows the same countdown; "Stay signed in" in any of them ends it in all.
let countdown;
function showCountdown(show) {
  clearInterval(countdown);
  $('idle-warning').hidden = !show;
  if (!show) return;
  const tick = () => ($('idle-countdown').textContent = String(Math.ceil((demo.idle?.remainingMs() ?? 0) / 1000)));
  tick();
  countdown = setInterval(tick, 250);
}

function watchIdleness() {
  if (!config.idle || (demo.idle && demo.idle.state !== 'stopped' && demo.idle.state !== 'timedOut')) return;
  demo.idle = watchIdle({ userManager, ...config.idle });
  demo.idle.on('warning', (detail) => (log('idle-warning', detail), showCountdown(true), void render()));
  demo.idle.on('warningCancelled', (detail) => (log('idle-warning-cancelled', detail), showCountdown(false), void render()));
  demo.idle.on('timeout', (detail) => (log('idle-timeout', detail), showCountdown(false), void render()));
}
$('stay-signed-in').addEventListener('click', () => demo.idle?.extend());

$('sign-in').addEventListener('click', () => userManager.signinRedirect());
// prompt=login: the OP shows its login form even while someone is signed in there, so another user can sign in.
$('sign-in-other').addEventListener('click', () => userManager.signinRedirect({ prompt: 'login' }));
$('check-now').addEventListener('click', () => demo.monitor?.checkNow());
$('sign-out').addEventListener('click', async () => {
  // Pauses monitoring, removes the user, tells the other tabs, then redirects to the OP's end_session_endpoint.
  // The app data in `state` stays in this tab and comes back on the post-logout page.
  try {
    await logout({ userManager, state: { from: config.name, at: Date.now() }, ...config.logout });
  } catch (error) {
    log('logout-error', { code: error.code, message: error.message });
    void render();
  }
});

// Another tab's logout (or a front-channel logout) removes the user; show it even when this tab is not monitoring.
window.addEventListener('storage', () => void render());

// With anonymous monitoring the app also watches while nobody is signed in, and hears of sign-ins elsewhere.
const signedIn = Boolean(await userManager.getUser());
if (config.monitor !== false && (config.monitor?.anonymous || signedIn)) monitor();
if (signedIn) watchIdleness();
await render();
document.body.dataset.ready = 'true';
