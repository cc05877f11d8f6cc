// silent_redirect_uri: the prompt=none answer lands here, inside the hidden iframe; oidc-client-ts hands it to the
// page that asked.
import { createUserManager, loadConfig } from './oidc.ts';

await createUserManager(await loadConfig()).signinSilentCallback();
