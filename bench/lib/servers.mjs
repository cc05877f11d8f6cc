// The bench's own servers: one mock OP per library under test (so request logs never mix) and tiny static
// servers for the bench pages (bench/pages), each on its own origin with its own client_id.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { ROOT } from './env.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
};

const MOUNTS = [
  ['/dist/', join(ROOT, 'dist')],
  ['/vendor/oidc-client-ts/', join(ROOT, 'node_modules', 'oidc-client-ts', 'dist')],
  ['/vendor/jwt-decode/', join(ROOT, 'node_modules', 'jwt-decode', 'build')],
  ['/', join(ROOT, 'bench', 'pages')],
];

function resolvePath(pathname) {
  for (const [prefix, dir] of MOUNTS) {
    if (!pathname.startsWith(prefix)) continue;
    const file = normalize(join(dir, pathname.slice(prefix.length) || 'index.html'));
    if (file !== dir && !file.startsWith(dir + sep)) return undefined;
    return file;
  }
  return undefined;
}

/**
 * A static server of bench/pages whose `/config.js` module exports `config`
 * (`{ lib: 'ours' | 'ots' | 'plain', authority, client_id }`).
 */
export async function startPageServer(config) {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/config.js') {
        res.writeHead(200, { 'content-type': TYPES['.js'], 'cache-control': 'no-store' });
        res.end(`export default ${JSON.stringify(config)};\n`);
        return;
      }
      const file = resolvePath(decodeURIComponent(url.pathname));
      if (!file) throw Object.assign(new Error('not found'), { code: 'ENOENT' });
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch (error) {
      const notFound = error && (error.code === 'ENOENT' || error.code === 'EISDIR' || error instanceof URIError);
      res.writeHead(notFound ? 404 : 500, { 'content-type': 'text/plain' });
      res.end(notFound ? 'not found' : 'error');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const origin = `http://localhost:${server.address().port}`;
  return {
    origin,
    config,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

function client(clientId, origin, refreshTokens = false) {
  return {
    client_id: clientId,
    redirect_uris: [`${origin}/callback.html`, `${origin}/silent.html`],
    post_logout_redirect_uris: [`${origin}/signed-out.html`],
    ...(refreshTokens ? { refresh_tokens: true } : {}),
  };
}

/**
 * One "world" per library: a mock OP, the monitored app (`app`, client `bench-<lib>`) and another app at
 * the same OP (`other`, client `bench-other`, plain oidc-client-ts without monitoring) whose sign-in and
 * sign-out change the OP session. No front-channel logout is registered, so every result comes from
 * check_session and the SDK's own tab coordination. The renewal scenario's worlds issue rotating refresh tokens
 * (`refreshTokens`) and short-lived access tokens (`idTokenTtlSeconds`); the re-check mode's play an OP without
 * check_session_iframe (`profile`).
 */
export async function startWorld(lib, { refreshTokens = false, idTokenTtlSeconds, profile } = {}) {
  const { startMockOp } = await import(`${ROOT}dist/mock-op/index.js`);
  const app = await startPageServer({ lib, client_id: `bench-${lib}` });
  const other = await startPageServer({ lib: 'plain', client_id: 'bench-other' });
  const op = await startMockOp({
    port: 0,
    clients: [client(app.config.client_id, app.origin, refreshTokens), client('bench-other', other.origin)],
    ...(idTokenTtlSeconds ? { idTokenTtlSeconds } : {}),
    ...(profile ? { profile } : {}),
  });
  app.config.authority = op.url;
  other.config.authority = op.url;
  return {
    lib,
    op,
    app,
    other,
    async close() {
      await Promise.all([app.close(), other.close(), op.close()]);
    },
  };
}

/** `prompt=none` authorization requests of `clientId` in the OP's request log. */
export function promptNone(requests, clientId) {
  // Only authorization requests carry `prompt` (at `/authorize`, or a profile's own path such as `/auth`).
  return requests.filter((r) => {
    const prompt = r.query?.prompt ?? r.form?.prompt ?? r.prompt;
    const id = r.query?.client_id ?? r.form?.client_id ?? r.client_id;
    return prompt === 'none' && id === clientId;
  });
}
