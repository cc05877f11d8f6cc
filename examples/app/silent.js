// The prompt=none answer lands here, inside the hidden iframe; oidc-client-ts hands it to the parent page.
import { createUserManager, loadConfig } from './oidc.js';

const userManager = createUserManager(await loadConfig());
await userManager.signinSilentCallback();
