// The post_logout_redirect_uri page: verifies the `state` that logout() sent (exactly, and only once).
import { handleLogoutCallback, startMonitoring } from 'oidc-session-monitor';
import { config, createUserManager } from './oidc.js';

const result = document.getElementById('result');
try {
  const { data, repeated } = await handleLogoutCallback();
  result.textContent = repeated
    ? `You are signed out (this page was already verified; app data: ${JSON.stringify(data)}).`
    : `You are signed out. The logout response was verified (app data: ${JSON.stringify(data)}).`;
  result.dataset.verified = 'true';
  result.dataset.repeated = String(repeated);
} catch (error) {
  // A missing, unknown, replayed or expired state: the local sign-out already happened, nothing else to do.
  result.textContent = `You are signed out, but this logout response could not be verified (${error.code}).`;
  result.dataset.verified = 'false';
  result.dataset.code = error.code;
}

// With anonymous monitoring configured, keep watching here too: the first poll uses the session_state the tab had
// before logging out (the OP answers `changed`), then the OP's anonymous one.
if (config.monitor?.anonymous) {
  const events = [];
  window.demo = { events };
  const monitor = startMonitoring({ userManager: createUserManager(config), ...config.monitor });
  for (const event of ['status', 'signedIn', 'unavailable', 'error']) monitor.on(event, (detail) => events.push({ event, detail }));
}
document.body.dataset.ready = 'true';
