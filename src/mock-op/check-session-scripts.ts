/**
 * Browser code of the check_session iframe, served as external scripts so the page works under a
 * strict Content-Security-Policy (`script-src 'self'`, no inline script).
 *
 * Kept as ES2017 without template literals so it can live in a TypeScript string.
 */

/**
 * The iframe script. Reads its configuration from `data-*` attributes of `<body>`: the registered
 * `client_id → origins` map, the browser-state cookie name, the worker and event-stream URLs.
 *
 * On each `message` (answered strictly in arrival order): the data must be a string, split at the last
 * space into client_id and session_state; session_state must be `hash.salt` (exactly one "."); the pair
 * (client_id, event.origin) must be registered; otherwise `error`. Then it recomputes
 * `base64url(SHA-256(client_id + " " + event.origin + " " + opbs + " " + salt))` with WebCrypto and
 * answers `unchanged` or `changed` to `event.source`, targeted at `event.origin`.
 *
 * The opbs comes from the browser-state cookie, or, while connected, from the OP's event stream (shared
 * by all iframes of the browser through a SharedWorker), which is how a session ended server-side
 * becomes visible without a request per poll.
 *
 * @see https://openid.net/specs/openid-connect-session-1_0.html#OPiframe (SM §3.2)
 */
export const CHECK_SESSION_SCRIPT = String.raw`(function () {
  'use strict';
  var body = document.body;
  var clients = JSON.parse(body.getAttribute('data-clients') || '{}');
  var cookieName = body.getAttribute('data-cookie');
  var workerUrl = body.getAttribute('data-worker');
  var eventsUrl = body.getAttribute('data-events');
  var encoder = new TextEncoder();
  // The browser state as last pushed by the OP; null while not connected (then the cookie rules).
  var serverState = null;
  var lastCookie = null;
  var reconnect = function () {};

  function base64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function sha256(text) {
    return crypto.subtle.digest('SHA-256', encoder.encode(text)).then(base64url);
  }
  function readCookie() {
    var parts = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf('=');
      if (eq > 0 && parts[i].slice(0, eq) === cookieName) return parts[i].slice(eq + 1);
    }
    return '';
  }
  function currentState() {
    var cookie = readCookie();
    // A cookie that moved on to something the stream never announced belongs to another browser
    // record (cookies cleared, new sign-in): trust it and follow the new record.
    if (serverState !== null && lastCookie !== null && cookie !== lastCookie && cookie !== serverState) {
      serverState = null;
      reconnect();
    }
    lastCookie = cookie;
    return serverState !== null ? serverState : cookie;
  }
  function opbsFor(state, clientId) {
    var entries = state.split('!');
    if (entries.length === 1) return Promise.resolve(entries[0]);
    return sha256(clientId).then(function (hash) {
      var key = hash.slice(0, 16);
      for (var i = 1; i < entries.length; i++) {
        var dot = entries[i].indexOf('.');
        if (entries[i].slice(0, dot) === key) return entries[i].slice(dot + 1);
      }
      return entries[0];
    });
  }
  function check(data, origin) {
    if (typeof data !== 'string') return Promise.resolve('error');
    var space = data.lastIndexOf(' ');
    if (space <= 0) return Promise.resolve('error');
    var clientId = data.slice(0, space);
    var sessionState = data.slice(space + 1);
    var dot = sessionState.indexOf('.');
    if (dot <= 0 || dot === sessionState.length - 1 || sessionState.indexOf('.', dot + 1) !== -1) return Promise.resolve('error');
    if (!Object.prototype.hasOwnProperty.call(clients, clientId) || clients[clientId].indexOf(origin) === -1) {
      return Promise.resolve('error');
    }
    var salt = sessionState.slice(dot + 1);
    var state = currentState();
    return opbsFor(state, clientId)
      .then(function (opbs) { return sha256(clientId + ' ' + origin + ' ' + opbs + ' ' + salt); })
      .then(function (hash) { return hash + '.' + salt === sessionState ? 'unchanged' : 'changed'; });
  }

  var queue = Promise.resolve();
  window.addEventListener('message', function (event) {
    var source = event.source;
    var origin = event.origin;
    var data = event.data;
    queue = queue
      .then(function () { return check(data, origin); })
      .catch(function () { return 'error'; })
      .then(function (status) {
        if (!source || origin === 'null') return;
        try { source.postMessage(status, origin); } catch (e) { /* the caller went away */ }
      });
  });

  function onState(value) {
    serverState = typeof value === 'string' ? value : null;
    if (serverState !== null) lastCookie = readCookie();
  }
  if (typeof SharedWorker === 'function') {
    try {
      var worker = new SharedWorker(workerUrl, { name: 'check_session ' + cookieName });
      worker.port.onmessage = function (event) { onState(event.data); };
      worker.port.start();
      reconnect = function () { worker.port.postMessage('reconnect'); };
      window.addEventListener('pagehide', function () { worker.port.postMessage('bye'); });
      return;
    } catch (e) { /* fall back to a stream of our own */ }
  }
  if (typeof EventSource === 'function') {
    var source;
    var retry = null;
    var connect = function () {
      if (source) source.close();
      source = new EventSource(eventsUrl);
      source.onmessage = function (event) {
        try { onState(JSON.parse(event.data).state); } catch (e) { onState(null); }
      };
      source.onerror = function () {
        onState(null);
        if (source.readyState === 2 && retry === null) retry = setTimeout(function () { retry = null; connect(); }, 5000);
      };
    };
    reconnect = connect;
    connect();
  }
})();
`;

/**
 * The SharedWorker behind every check_session iframe of one browser: a single event stream to the OP
 * however many tabs are open (browsers allow only six connections per host over HTTP/1.1), its latest
 * value handed to each iframe. A stream the browser gave up on (an OP outage answered with 503) is
 * reopened after 5 s.
 */
export const CHECK_SESSION_WORKER = String.raw`'use strict';
var ports = [];
var state = null;
var source = null;
var retry = null;
function broadcast() {
  for (var i = 0; i < ports.length; i++) ports[i].postMessage(state);
}
function connect() {
  if (source) source.close();
  source = new EventSource('check_session/events');
  source.onmessage = function (event) {
    try { state = JSON.parse(event.data).state; } catch (e) { state = null; }
    broadcast();
  };
  source.onerror = function () {
    state = null;
    broadcast();
    if (source.readyState === 2 && retry === null) retry = setTimeout(function () { retry = null; connect(); }, 5000);
  };
}
self.onconnect = function (event) {
  var port = event.ports[0];
  ports.push(port);
  port.onmessage = function (message) {
    if (message.data === 'reconnect') connect();
    if (message.data === 'bye') ports = ports.filter(function (p) { return p !== port; });
  };
  port.postMessage(state);
  if (source === null) connect();
};
`;
