// post_logout_redirect_uri: checks that the `state` coming back is the one logout() sent from this tab (exactly,
// and only once) and returns the app data that was kept with it.
import { handleLogoutCallback, isOidcSessionMonitorError } from 'oidc-session-monitor';

const result = document.getElementById('result')!;
try {
  const { data } = await handleLogoutCallback();
  result.textContent = `You are signed out. The logout response was verified (app data: ${JSON.stringify(data)}).`;
  result.dataset.verified = 'true';
} catch (error) {
  // A missing, forged, replayed or expired state: the local sign-out already happened; nothing else to do.
  const code = isOidcSessionMonitorError(error) ? error.code : 'unknown';
  result.textContent = `You are signed out, but this logout response could not be verified (${code}).`;
  result.dataset.verified = 'false';
  result.dataset.code = code;
}
document.body.dataset.ready = 'true';
