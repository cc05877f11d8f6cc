// A small static server for the script-tag example: the pages of this folder at `/`, the package's dist/ at
// `/dist/`, and `/config.js` (a classic script that sets `window.exampleConfig`). It sends the strict
// Content-Security-Policy that the README's "Deployment" section recommends, so the example proves the SDK works
// under it. Plain JavaScript: it runs on Node without a build step (it needs `npm run build` for dist/).
//
//   node examples/script-tag/server.mjs      the mock OP on :4000 and this example on :3003 (PORT, OP_PORT)
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

// URL prefix → folder. Nothing else is served, and `..` cannot walk out of these folders.
const MOUNTS = [
  ['/dist/', join(root, 'dist')],
  // oidc-client-ts's own browser build, for the SDK-only script tag (`build: 'sdk'`).
  ['/vendor/', join(root, 'node_modules', 'oidc-client-ts', 'dist', 'browser')],
  ['/', here],
];

const FULL_SCRIPT = '<script src="/dist/oidc-session-monitor.iife.min.js"></script>';
const SDK_SCRIPTS = '<script src="/vendor/oidc-client-ts.min.js"></script>\n  <script src="/dist/oidc-session-monitor.sdk.iife.min.js"></script>';

function resolveFile(pathname) {
  for (const [prefix, dir] of MOUNTS) {
    if (!pathname.startsWith(prefix)) continue;
    const file = normalize(join(dir, pathname.slice(prefix.length) || 'index.html'));
    if (!file.startsWith(dir.endsWith(sep) ? dir : dir + sep)) return undefined;
    if (dir === here && !/\.(html|js|css)$/.test(file)) return undefined; // not server.mjs, not the .d.mts
    if (prefix === '/vendor/' && !file.endsWith('oidc-client-ts.min.js')) return undefined;
    return file;
  }
  return undefined;
}

/** The page's Content-Security-Policy: scripts only from this origin, frames and fetches only to it and the OP. */
export function contentSecurityPolicy(opOrigin) {
  const op = opOrigin ? ` ${opOrigin}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self'${op}`, // discovery and the token endpoint (oidc-client-ts)
    `frame-src 'self'${op}`, // the OP's check_session_iframe, and the prompt=none iframe that lands on silent.html
    `form-action 'self'${op}`, // logout() POSTs a form to end_session_endpoint when the URL is too long
    "frame-ancestors 'self'", // silent.html is framed by this app only
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** The client registration of this example at an OP: its callback, silent-callback and post-logout pages. */
export function scriptTagClient(clientId, origin) {
  return {
    client_id: clientId,
    redirect_uris: [`${origin}/callback.html`, `${origin}/silent.html`],
    post_logout_redirect_uris: [`${origin}/signed-out.html`],
  };
}

/**
 * Starts the example's server. Tell it the OP with `configure({ authority, client_id, interval })`.
 * `build: 'sdk'` serves the pages with oidc-client-ts's own script and the SDK-only build instead of the full one.
 * @param {{ port?: number, host?: string, hostname?: string, build?: 'full' | 'sdk' }} [options]
 */
export async function startScriptTagApp({ port = 0, host = '127.0.0.1', hostname = 'localhost', build = 'full' } = {}) {
  let config = {};
  const server = createServer(async (req, res) => {
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    try {
      const { pathname } = new URL(req.url ?? '/', 'http://x');
      if (pathname === '/config.js') {
        res.writeHead(200, { ...headers, 'content-type': TYPES['.js'] });
        res.end(`window.exampleConfig = ${JSON.stringify(config)};\n`);
        return;
      }
      const file = resolveFile(decodeURIComponent(pathname));
      if (!file) throw Object.assign(new Error('not found'), { code: 'ENOENT' });
      const type = TYPES[extname(file)] ?? 'application/octet-stream';
      let body = await readFile(file);
      if (build === 'sdk' && type.startsWith('text/html')) body = body.toString('utf8').replace(FULL_SCRIPT, SDK_SCRIPTS);
      const csp = type.startsWith('text/html') ? { 'content-security-policy': contentSecurityPolicy(config.authority && new URL(config.authority).origin) } : {};
      res.writeHead(200, { ...headers, ...csp, 'content-type': type });
      res.end(body);
    } catch (error) {
      const notFound = error && (error.code === 'ENOENT' || error.code === 'EISDIR' || error instanceof URIError);
      res.writeHead(notFound ? 404 : 500, { ...headers, 'content-type': 'text/plain' });
      res.end(notFound ? 'not found' : 'error');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const origin = `http://${hostname}:${server.address().port}`;
  return {
    origin,
    configure(next) {
      config = { ...config, ...next };
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

// `node examples/script-tag/server.mjs`: the mock OP and this example, for a person to try.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { startMockOp } = await import('../../dist/mock-op/index.js');
  const app = await startScriptTagApp({ port: Number(process.env.PORT ?? 3003), build: process.env.BUILD === 'sdk' ? 'sdk' : 'full' });
  const op = await startMockOp({ port: Number(process.env.OP_PORT ?? 4000), clients: [scriptTagClient('script-tag', app.origin)] });
  app.configure({ authority: op.url, client_id: 'script-tag', interval: 2000 });
  console.log(`\n  Mock OpenID Provider  ${op.url}   (users: alice/alice, bob/bob)\n  Script-tag example    ${app.origin}/\n\n  Ctrl+C stops both.\n`);
  const stop = async () => {
    await Promise.all([app.close(), op.close()]);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
