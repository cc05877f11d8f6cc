import { createUserManager, loadConfig } from './oidc.js';

const userManager = createUserManager(await loadConfig());
try {
  await userManager.signinCallback();
} finally {
  window.location.replace('/');
}
