import { config, createUserManager } from './oidc.js';

const userManager = createUserManager(config);
try {
  await userManager.signinCallback();
} finally {
  window.location.replace('/');
}
