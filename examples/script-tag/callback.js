// The redirect_uri page: oidc-client-ts checks the authorization response, redeems the code and stores the user
// (with the response's session_state, which the monitor needs), then back to the app.
window.createUserManager()
  .signinCallback()
  .catch(function (error) {
    console.error('sign-in failed', error);
  })
  .then(function () {
    window.location.replace('/');
  });
