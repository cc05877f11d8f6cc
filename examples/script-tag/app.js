// The app: sign in, watch the session at the OP, sign out. Everything comes from the global OidcSessionMonitor.
(function () {
  var config = window.exampleConfig;
  var userManager = window.createUserManager();
  var $ = function (id) { return document.getElementById(id); };
  // What the end-to-end test reads (and what a curious person can inspect in the console).
  var example = (window.example = { events: [], monitor: undefined, userManager: userManager });

  function log(event, detail) {
    example.events.push({ event: event, detail: detail });
    var item = document.createElement('li');
    item.dataset.event = event;
    item.textContent = new Date().toISOString().slice(11, 23) + '  ' + event + (detail ? '  ' + JSON.stringify(detail) : '');
    $('log').prepend(item);
  }

  // The server sends a strict Content-Security-Policy (see server.mjs); any violation would show here.
  document.addEventListener('securitypolicyviolation', function (e) {
    log('csp-violation', { directive: e.effectiveDirective, blocked: e.blockedURI });
  });

  function render() {
    return userManager.getUser().then(function (user) {
      $('user').textContent = user ? (user.profile.name || user.profile.sub) + ' (sub ' + user.profile.sub + ')' : 'signed out';
      $('state').textContent = example.monitor ? example.monitor.state : 'not monitoring';
      $('sign-in').hidden = Boolean(user);
      $('sign-out').hidden = !user;
    });
  }

  function monitor() {
    example.monitor = OidcSessionMonitor.startMonitoring({ userManager: userManager, interval: config.interval });
    ['status', 'refreshed', 'userChanged', 'signedOut', 'unavailable', 'error', 'state'].forEach(function (event) {
      example.monitor.on(event, function (payload) {
        log(event, event === 'error' ? { code: payload.error.code, message: payload.error.message } : payload);
        render();
      });
    });
  }

  $('sign-in').addEventListener('click', function () {
    userManager.signinRedirect();
  });

  $('sign-out').addEventListener('click', function () {
    // Stops monitoring, removes the user, tells the app's other tabs, then redirects to the OP's
    // end_session_endpoint. `state` comes back, verified, on signed-out.html.
    OidcSessionMonitor.logout({ userManager: userManager, state: { from: 'script-tag' } }).catch(function (error) {
      log('logout-error', { code: error.code, message: error.message });
      render();
    });
  });

  // Another tab's logout removes the user from localStorage: show it.
  window.addEventListener('storage', function () { render(); });

  userManager.getUser().then(function (user) {
    if (user) monitor();
    return render();
  }).then(function () {
    document.body.dataset.ready = 'true';
  });
})();
