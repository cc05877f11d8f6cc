import { UserManager } from 'oidc-client-ts';
import { settings } from './settings.mjs';

try {
  await new UserManager(settings()).signinCallback();
} finally {
  window.location.replace(window.sessionStorage.getItem('bench.return') ?? '/index.html');
}
