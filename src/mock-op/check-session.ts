import type { IncomingMessage, ServerResponse } from 'node:http';
import { serializeBrowserState } from './browser-state.js';
import { CHECK_SESSION_SCRIPT, CHECK_SESSION_WORKER } from './check-session-scripts.js';
import type { OpContext } from './context.js';
import { browserFor, findBrowser } from './context.js';
import { PATHS } from './discovery.js';
import { escapeHtml } from './encoding.js';
import { pageCsp, sendHtml, sendScript } from './http.js';
import { page } from './pages.js';

/** `client_id → origins of its redirect URIs`: who may post to the iframe for which client (SM-23, N-OP-1). */
export function allowedOrigins(ctx: OpContext): Record<string, string[]> {
  // Own properties only, whatever the client_id (`__proto__` included): the map is read by key.
  return Object.fromEntries([...ctx.options.clients.values()].map((client) => [client.client_id, [...new Set(client.redirect_uris.map((u) => new URL(u).origin))]]));
}

/**
 * The check_session iframe page. Framable by registered RP origins only (CSP `frame-ancestors`, no
 * `X-Frame-Options`, N-OP-2); no inline script; the client registry reaches the script through a
 * `data-clients` attribute. Loading it also writes back a browser state the server changed while the
 * browser was away, so a freshly loaded iframe never reads a stale cookie.
 *
 * How a server-side session end (`op.endSession()`, expiry) reaches an iframe that is already open:
 * the script subscribes (through one SharedWorker per browser) to `/check_session/events`, a
 * server-sent event stream that pushes the browser's new state when the server changes it. Polls
 * themselves never cause a request: an unchanged, alive session costs zero HTTP requests after load.
 *
 * @see https://openid.net/specs/openid-connect-session-1_0.html#OPiframe (SM §3.2)
 */
export function handleCheckSessionPage(ctx: OpContext, req: IncomingMessage, res: ServerResponse): void {
  browserFor(ctx, req, res);
  const origins = [...new Set(Object.values(allowedOrigins(ctx)).flat())];
  const attributes = [
    `data-clients="${escapeHtml(JSON.stringify(allowedOrigins(ctx)))}"`,
    `data-cookie="${escapeHtml(ctx.cookies.stateName)}"`,
    `data-worker="${escapeHtml(PATHS.checkSessionWorker)}"`,
    `data-events="${escapeHtml(PATHS.checkSessionEvents)}"`,
  ].join(' ');
  const html = page('check_session', `<script src="${PATHS.checkSessionScript}"></script>`, { bodyAttributes: attributes });
  sendHtml(res, 200, html, { framable: true, csp: pageCsp({ scripts: true, frameAncestors: ["'self'", ...origins] }) });
}

export function handleCheckSessionScript(res: ServerResponse): void {
  sendScript(res, CHECK_SESSION_SCRIPT);
}

export function handleCheckSessionWorker(res: ServerResponse): void {
  sendScript(res, CHECK_SESSION_WORKER);
}

/**
 * A server-sent event stream of this browser's state: the current value at once, then every change
 * the server makes. `{"state": null}` when the OP does not know the browser (the cookie then rules).
 * Same-origin only (no CORS): only the OP's own iframe reads it.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html
 */
export function handleCheckSessionEvents(ctx: OpContext, req: IncomingMessage, res: ServerResponse, streams: Set<ServerResponse>): void {
  const record = findBrowser(ctx, req);
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  const send = (state: string | null): void => {
    res.write(`data: ${JSON.stringify({ state })}\n\n`);
  };
  res.write('retry: 2000\n\n');
  send(record ? serializeBrowserState(record) : null);
  streams.add(res);
  const unsubscribe = record ? ctx.store.subscribe(record.id, send) : () => {};
  res.on('close', () => {
    unsubscribe();
    streams.delete(res);
  });
}
