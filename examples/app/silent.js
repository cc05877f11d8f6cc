// The prompt=none answer lands here, inside the hidden iframe; oidc-client-ts hands it to the parent page.
import { config, createUserManager } from './oidc.js';

const userManager = createUserManager(config);
await userManager.signinSilentCallback();
