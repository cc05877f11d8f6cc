// redirect_uri: oidc-client-ts checks the authorization response and stores the user, including the response's
// session_state, which the monitor polls with.
import { createUserManager, loadConfig } from './oidc.ts';

try {
  await createUserManager(await loadConfig()).signinCallback();
} finally {
  window.location.replace('/');
}
