// The frontchannel_logout_uri page, loaded by the OP in a hidden iframe when the user signs out there.
// It signs the user out of every open tab of this app if the request's iss and sid match the session.
import { handleFrontChannelLogout } from 'oidc-session-monitor';
import { config, createUserManager } from './oidc.js';

let result;
try {
  // Creating the user manager reads localStorage, which a browser that blocks third-party storage refuses here.
  result = await handleFrontChannelLogout({ userManager: createUserManager(config) });
} catch (error) {
  result = { error: typeof error.code === 'string' ? error.code : error.name };
}
document.body.dataset.result = JSON.stringify(result);
// What this page did, and whether it ran partitioned under the OP's page on another site (then the app's open tabs
// were not reached): in the browser console, where the end-to-end tests read it too.
console.info(`front-channel logout ${config.name}: ${document.body.dataset.result}`);
