import { logout, startMonitoring, type MonitorEventName, type MonitorEvents, type SessionMonitor } from 'oidc-session-monitor';
import { createUserManager, loadConfig } from './oidc.ts';
import './style.css';

const config = await loadConfig();
const userManager = createUserManager(config);
const $ = (id: string) => document.getElementById(id)!;
let monitor: SessionMonitor | undefined;

/** Shows one monitor event in the page's list. */
function show<E extends MonitorEventName>(event: E, detail: MonitorEvents[E] | Record<string, unknown>): void {
  const item = document.createElement('li');
  item.dataset.event = event;
  item.textContent = `${new Date().toLocaleTimeString()}  ${event}  ${JSON.stringify(detail)}`;
  $('events').prepend(item);
  void render();
}

async function render(): Promise<void> {
  const user = await userManager.getUser();
  $('user').textContent = user ? `${user.profile.name ?? user.profile.sub} (sub ${user.profile.sub})` : 'signed out';
  $('state').textContent = monitor?.state ?? 'not monitoring';
  $('sign-in').hidden = Boolean(user);
  $('sign-out').hidden = !user;
  $('check-now').hidden = !user;
}

function startWatching(): void {
  monitor = startMonitoring({ userManager, interval: config.interval ?? 3000 });
  monitor.on('status', (payload) => show('status', payload));
  monitor.on('refreshed', (payload) => show('refreshed', payload)); // same user, new session_state
  monitor.on('userChanged', (payload) => show('userChanged', payload)); // another user at the OP
  monitor.on('signedOut', (payload) => show('signedOut', payload)); // the local user is already removed
  monitor.on('unavailable', (payload) => show('unavailable', payload)); // monitoring cannot work (e.g. 3rd-party cookies)
  monitor.on('error', ({ error }) => show('error', { code: error.code, message: error.message })); // unknown, not signed out
  monitor.on('state', () => void render());
}

$('sign-in').addEventListener('click', () => void userManager.signinRedirect());
$('check-now').addEventListener('click', () => monitor?.checkNow());
$('sign-out').addEventListener('click', () => {
  // Stops monitoring, removes the user, tells the other tabs, redirects to the OP's end_session_endpoint.
  logout({ userManager, state: { from: 'spa' } }).catch((error: unknown) => {
    $('events').prepend(Object.assign(document.createElement('li'), { textContent: `logout failed: ${String(error)}` }));
  });
});
window.addEventListener('storage', () => void render());

if (await userManager.getUser()) startWatching();
await render();
document.body.dataset.ready = 'true';
