// The prompt=none answer lands here, in oidc-client-ts's hidden iframe; it hands the URL to the parent page.
import { UserManager } from 'oidc-client-ts';
import { settings } from './settings.mjs';

await new UserManager(settings()).signinSilentCallback();
