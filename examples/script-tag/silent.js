// The silent_redirect_uri page: the monitor's prompt=none re-check answers here, in a hidden iframe, and
// oidc-client-ts hands the answer to the page that asked.
window.createUserManager().signinSilentCallback();
