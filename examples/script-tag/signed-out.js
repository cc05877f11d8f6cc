// The post_logout_redirect_uri page: checks that the `state` coming back is the one OidcSessionMonitor.logout()
// sent from this tab (exactly, and only once), and hands back the app data that was kept with it.
(function () {
  var result = document.getElementById('result');
  OidcSessionMonitor.handleLogoutCallback()
    .then(function (callback) {
      result.textContent = 'You are signed out. The logout response was verified (app data: ' + JSON.stringify(callback.data) + ').';
      result.dataset.verified = 'true';
    })
    .catch(function (error) {
      // A missing, unknown, replayed or expired state: the local sign-out already happened; nothing else to do.
      result.textContent = 'You are signed out, but this logout response could not be verified (' + error.code + ').';
      result.dataset.verified = 'false';
      result.dataset.code = error.code;
    })
    .then(function () {
      document.body.dataset.ready = 'true';
    });
})();
