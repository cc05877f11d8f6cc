// The frontchannel_logout_uri page, loaded by the OP in a hidden iframe when the user signs out there.
// It signs the user out of every open tab of this app if the request's iss and sid match the session.
import { handleFrontChannelLogout } from 'oidc-session-monitor';
import { config, createUserManager } from './oidc.js';

const userManager = createUserManager(config);
const result = await handleFrontChannelLogout({ userManager }).catch((error) => ({ error: error.code }));
document.body.dataset.result = JSON.stringify(result);
