// Browser code, injected into every frame of every bench page before any page script runs
// (Playwright `context.addInitScript`). It records, without changing behaviour:
//
// - every check_session reply that reaches the top window (`unchanged` / `changed` / `error`), from a
//   capture-phase `message` listener registered before any other, with `performance.now()` and `Date.now()`;
//   the same listener records the callback of oidc-client-ts's hidden `prompt=none` iframe (`{ source:
//   'oidc-client', url }`, posted by `signinSilentCallback`), which both libraries' re-checks go through;
// - the synchronous time spent in the page's own `message` listeners on `window` (wrapped on registration);
// - live event listeners per target and type (add/remove, `once`, `signal`), pending `setTimeout`s,
//   active `setInterval`s and open `BroadcastChannel`s, to find what a start/stop cycle leaves behind;
// - in the top frame only: a controllable `document.visibilityState` / `document.hidden`, because headless
//   Chromium reports every tab as visible. `__bench.setVisibility('hidden' | 'visible')` overrides the value
//   and dispatches `visibilitychange` on `document`, as a real tab switch does.
(function () {
  'use strict';
  if (window.__bench) return;
  var perf = window.performance;
  var STATUSES = { unchanged: 1, changed: 1, error: 1 };
  var isTop = window === window.top;
  var B = (window.__bench = {
    replies: [],
    silentCallbacks: [],
    waiters: [],
    msgTime: 0,
    msgCalls: 0,
    listeners: {},
    timeouts: new Set(),
    intervals: new Set(),
    channels: new Set(),
  });

  if (isTop) {
    window.addEventListener(
      'message',
      function (event) {
        if (event.data && event.data.source === 'oidc-client') {
          B.silentCallbacks.push({ origin: event.origin, p: perf.now(), t: Date.now() });
          return;
        }
        if (typeof event.data !== 'string' || !STATUSES[event.data]) return;
        var record = { data: event.data, origin: event.origin, p: perf.now(), t: Date.now() };
        B.replies.push(record);
        var waiting = B.waiters;
        B.waiters = [];
        for (var i = 0; i < waiting.length; i++) waiting[i](record);
      },
      true,
    );
    /** Resolves with the next reply recorded after this call. */
    B.nextReply = function (timeoutMs) {
      return new Promise(function (resolve, reject) {
        var timer = null;
        var done = function (record) {
          if (timer !== null) originalClearTimeout.call(window, timer);
          resolve(record);
        };
        B.waiters.push(done);
        if (timeoutMs) {
          timer = originalSetTimeout.call(
            window,
            function () {
              B.waiters = B.waiters.filter(function (w) {
                return w !== done;
              });
              reject(new Error('no check_session reply within ' + timeoutMs + ' ms'));
            },
            timeoutMs,
          );
        }
      });
    };
  }

  // ---- listeners ----
  var originalAdd = EventTarget.prototype.addEventListener;
  var originalRemove = EventTarget.prototype.removeEventListener;
  /** target -> Map(type|capture -> Map(listener -> registered function)) */
  var registry = new WeakMap();

  function label(target) {
    if (target === window) return 'window';
    if (target === document) return 'document';
    return (target && target.constructor && target.constructor.name) || 'other';
  }
  function count(target, type, delta) {
    var key = label(target) + ' ' + type;
    B.listeners[key] = (B.listeners[key] || 0) + delta;
    if (B.listeners[key] === 0) delete B.listeners[key];
  }
  function captureOf(options) {
    return typeof options === 'boolean' ? options : Boolean(options && options.capture);
  }
  function forget(target, type, capture, listener) {
    var byKey = registry.get(target);
    var byListener = byKey && byKey.get(type + '|' + capture);
    if (!byListener || !byListener.has(listener)) return undefined;
    var registered = byListener.get(listener);
    byListener.delete(listener);
    count(target, type, -1);
    return registered;
  }

  EventTarget.prototype.addEventListener = function (type, listener, options) {
    if (!listener || (typeof listener !== 'function' && typeof listener !== 'object')) {
      return originalAdd.call(this, type, listener, options);
    }
    var target = this;
    var capture = captureOf(options);
    var key = type + '|' + capture;
    var byKey = registry.get(target);
    if (!byKey) registry.set(target, (byKey = new Map()));
    var byListener = byKey.get(key);
    if (!byListener) byKey.set(key, (byListener = new Map()));
    if (byListener.has(listener)) return undefined; // a duplicate registration is a no-op in the DOM too
    var once = Boolean(options && typeof options === 'object' && options.once);
    var timed = type === 'message' && target === window;
    var registered = listener;
    if (timed || once) {
      registered = function (event) {
        if (once) forget(target, type, capture, listener);
        var start = timed ? perf.now() : 0;
        try {
          return typeof listener === 'function' ? listener.call(this, event) : listener.handleEvent(event);
        } finally {
          if (timed) {
            B.msgTime += perf.now() - start;
            B.msgCalls += 1;
          }
        }
      };
    }
    byListener.set(listener, registered);
    count(target, type, 1);
    var signal = options && typeof options === 'object' ? options.signal : undefined;
    if (signal) {
      if (signal.aborted) {
        forget(target, type, capture, listener);
      } else {
        originalAdd.call(signal, 'abort', function () {
          forget(target, type, capture, listener);
        });
      }
    }
    return originalAdd.call(this, type, registered, options);
  };

  EventTarget.prototype.removeEventListener = function (type, listener, options) {
    var registered = listener ? forget(this, type, captureOf(options), listener) : undefined;
    return originalRemove.call(this, type, registered || listener, options);
  };

  // ---- timers ----
  var originalSetTimeout = window.setTimeout;
  var originalClearTimeout = window.clearTimeout;
  var originalSetInterval = window.setInterval;
  var originalClearInterval = window.clearInterval;
  window.setTimeout = function (callback) {
    var args = Array.prototype.slice.call(arguments);
    var id;
    if (typeof callback === 'function') {
      args[0] = function () {
        B.timeouts.delete(id);
        return callback.apply(this, arguments);
      };
    }
    id = originalSetTimeout.apply(window, args);
    B.timeouts.add(id);
    return id;
  };
  window.setInterval = function () {
    var id = originalSetInterval.apply(window, arguments);
    B.intervals.add(id);
    return id;
  };
  // Timeout and interval ids share one pool, and either clear function clears either kind.
  window.clearTimeout = function (id) {
    B.timeouts.delete(id);
    B.intervals.delete(id);
    return originalClearTimeout.call(window, id);
  };
  window.clearInterval = function (id) {
    B.timeouts.delete(id);
    B.intervals.delete(id);
    return originalClearInterval.call(window, id);
  };

  // ---- BroadcastChannel ----
  var NativeChannel = window.BroadcastChannel;
  if (typeof NativeChannel === 'function') {
    var Counted = function BroadcastChannel(name) {
      var channel = new NativeChannel(name);
      B.channels.add(channel);
      var close = channel.close;
      channel.close = function () {
        B.channels.delete(channel);
        return close.call(channel);
      };
      return channel;
    };
    Counted.prototype = NativeChannel.prototype;
    window.BroadcastChannel = Counted;
  }

  /** What is alive now (the top window and document only for listeners of those targets). */
  B.snapshot = function () {
    return {
      iframes: document.querySelectorAll('iframe').length,
      listeners: Object.assign({}, B.listeners),
      timeouts: B.timeouts.size,
      intervals: B.intervals.size,
      channels: B.channels.size,
    };
  };

  // ---- visibility (top frame only) ----
  if (isTop) {
    var forced = null;
    var stateGetter = Object.getOwnPropertyDescriptor(Document.prototype, 'visibilityState').get;
    var hiddenGetter = Object.getOwnPropertyDescriptor(Document.prototype, 'hidden').get;
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: function () {
        return forced !== null ? forced : stateGetter.call(document);
      },
    });
    Object.defineProperty(document, 'hidden', {
      configurable: true,
      get: function () {
        return forced !== null ? forced === 'hidden' : hiddenGetter.call(document);
      },
    });
    /** Sets the emulated visibility and dispatches visibilitychange; returns performance.now() at dispatch. */
    B.setVisibility = function (value) {
      forced = value;
      var at = perf.now();
      document.dispatchEvent(new Event('visibilitychange'));
      return at;
    };
  }
})();
