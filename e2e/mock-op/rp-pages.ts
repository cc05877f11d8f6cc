/**
 * RP pages for the check_session tests: a page that frames the OP's check_session iframe from an
 * external script (so it works under a strict CSP) and exposes `window.check(data)`, which posts `data`
 * to the iframe and resolves with the reply (or `'timeout'`).
 */
export const RP_SCRIPT = `
(function () {
  var src = document.body.getAttribute('data-op');
  var opOrigin = new URL(src).origin;
  var frame = document.createElement('iframe');
  frame.id = 'op';
  frame.hidden = true;
  var ready = new Promise(function (resolve) { frame.addEventListener('load', resolve); });
  frame.src = src;
  document.body.appendChild(frame);
  // Replies come back in the order the posts went out: resolve the oldest pending check.
  var pending = [];
  window.addEventListener('message', function (event) {
    if (event.origin !== opOrigin || event.source !== frame.contentWindow) return;
    var next = pending.shift();
    if (next) next(event.data);
  });
  window.check = function (data) {
    return ready.then(function () {
      return new Promise(function (resolve) {
        var settled = false;
        function settle(value) {
          if (settled) return;
          settled = true;
          resolve(value);
        }
        pending.push(settle);
        setTimeout(function () {
          var i = pending.indexOf(settle);
          if (i !== -1) pending.splice(i, 1);
          settle('timeout');
        }, 3000);
        frame.contentWindow.postMessage(data, opOrigin);
      });
    });
  };
})();
`;

export function rpPage(checkSessionIframe: string): string {
  return (
    '<!doctype html><html><head><meta charset="utf-8"><title>RP</title></head>' +
    `<body data-op="${checkSessionIframe}"><h1>RP</h1><script src="/rp.js"></script></body></html>`
  );
}

/** The strict policy the RP page is served with: nothing inline, frames only from the OP. */
export function strictCsp(opOrigin: string): string {
  return `default-src 'self'; script-src 'self'; frame-src ${opOrigin}; object-src 'none'; base-uri 'none'`;
}
