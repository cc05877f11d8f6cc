// The post_logout_redirect_uri page: verifies the `state` that logout() sent (exactly, and only once).
import { handleLogoutCallback } from 'oidc-session-monitor';

const result = document.getElementById('result');
try {
  const { data } = await handleLogoutCallback();
  result.textContent = `You are signed out. The logout response was verified (app data: ${JSON.stringify(data)}).`;
  result.dataset.verified = 'true';
} catch (error) {
  // A missing, unknown, replayed or expired state: the local sign-out already happened, nothing else to do.
  result.textContent = `You are signed out, but this logout response could not be verified (${error.code}).`;
  result.dataset.verified = 'false';
  result.dataset.code = error.code;
}
document.body.dataset.ready = 'true';
