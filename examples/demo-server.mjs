// Serves the demo RPs ("A" and "B") and starts the mock OP. Used by `npm start` and by the e2e tests,
// so the demo is always the thing the tests exercise. Plain JavaScript: it runs on Node without a build step
// (it needs `npm run build` for dist/).
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSelfSignedCertificate, startMockOp } from '../dist/mock-op/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const appDir = join(root, 'examples', 'app');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
};

// URL prefix → folder. Everything else is refused, so the server cannot be walked out of these folders.
const MOUNTS = [
  ['/dist/', join(root, 'dist')],
  ['/vendor/oidc-client-ts/', join(root, 'node_modules', 'oidc-client-ts', 'dist')],
  ['/vendor/jwt-decode/', join(root, 'node_modules', 'jwt-decode', 'build')],
  ['/', appDir],
];

function resolvePath(pathname) {
  for (const [prefix, dir] of MOUNTS) {
    if (!pathname.startsWith(prefix)) continue;
    let rest = pathname.slice(prefix.length) || 'index.html';
    const file = normalize(join(dir, rest));
    if (file !== dir && !file.startsWith(dir + sep)) return undefined;
    return file;
  }
  return undefined;
}

/**
 * Starts one demo RP: a static server for examples/app with its own /config.js.
 * @param {{ name: string, port?: number, host?: string, hostname?: string, tls?: { cert: string, key: string } }} options
 */
export async function startRp({ name, port = 0, host = '127.0.0.1', hostname = 'localhost', tls }) {
  let config = {};
  const handler = async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/config.js') {
        // A module, not a fetch: pages such as the front-channel logout page must finish their work before
        // their load event, and a static import is part of that.
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
        res.end(`export default ${JSON.stringify({ name, ...config })};\n`);
        return;
      }
      const file = resolvePath(decodeURIComponent(url.pathname));
      if (!file) throw Object.assign(new Error('not found'), { code: 'ENOENT' });
      const body = await readFile(file);
      const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' };
      res.writeHead(200, headers);
      res.end(body);
    } catch (error) {
      const notFound = error && (error.code === 'ENOENT' || error.code === 'EISDIR' || error instanceof URIError);
      res.writeHead(notFound ? 404 : 500, { 'content-type': 'text/plain' });
      res.end(notFound ? 'not found' : 'error');
    }
  };
  const server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, handler) : createServer(handler);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actualPort = server.address().port;
  const origin = `${tls ? 'https' : 'http'}://${hostname}:${actualPort}`;
  return {
    name,
    origin,
    port: actualPort,
    /** Sets what /config.js answers (the OP's URL, the client id, the interval…). */
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

/**
 * The client registration of a demo app at the mock OP. With the `wso2` profile the post-logout page is also a
 * redirect URI: WSO2 Identity Server checks `post_logout_redirect_uri` against the client's callback URL(s).
 */
export function demoClient(clientId, origin, { frontChannel = true, profile = 'spec', consent } = {}) {
  return {
    client_id: clientId,
    redirect_uris: [`${origin}/callback.html`, `${origin}/silent.html`, ...(profile === 'wso2' ? [`${origin}/signed-out.html`] : [])],
    ...(consent ? { consent } : {}),
    post_logout_redirect_uris: [`${origin}/signed-out.html`],
    ...(frontChannel ? { frontchannel_logout_uri: `${origin}/frontchannel-logout.html`, frontchannel_logout_session_required: true } : {}),
  };
}

/**
 * Starts the mock OP and the two demo apps A and B.
 * `opClockSkewSeconds` skews the mock OP's clock for the ID tokens it issues (its `clockSkewSeconds`):
 * -60 is an OP running a minute behind the browser.
 * @param {{ opPort?: number, aPort?: number, bPort?: number, interval?: number, sessionStateMode?: 'browser' | 'per-client', profile?: import('../dist/mock-op/index.js').MockOpProfile, consent?: 'always' | 'once', monitor?: object | false, silentRequestTimeoutInSeconds?: number, frontChannel?: boolean, hostnames?: { op: string, a: string, b: string }, opClockSkewSeconds?: number, perTabUser?: boolean, idle?: { timeout: number, warning?: number, logout?: boolean | object } }} [options]
 * `idle` turns on the apps' idle timeout (`watchIdle` of `oidc-session-monitor/idle`) with these options.
 */
export async function startDemo(options = {}) {
  // Cross-site set-up: the OP and each app on host names of their own (map them to 127.0.0.1 in the browser,
  // e.g. Chromium's --host-resolver-rules), over HTTPS because SameSite=None cookies need Secure.
  const names = options.hostnames;
  const tls = names ? await createSelfSignedCertificate([names.a, names.b]) : undefined;
  const a = await startRp({ name: 'A', port: options.aPort ?? 0, ...(names ? { hostname: names.a, tls } : {}) });
  const b = await startRp({ name: 'B', port: options.bPort ?? 0, ...(names ? { hostname: names.b, tls } : {}) });
  const op = await startMockOp({
    port: options.opPort ?? 0,
    clients: [demoClient('app-a', a.origin, options), demoClient('app-b', b.origin, options)],
    ...(options.sessionStateMode ? { sessionStateMode: options.sessionStateMode } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.opClockSkewSeconds !== undefined ? { clockSkewSeconds: options.opClockSkewSeconds } : {}),
    ...(names ? { hostname: names.op, https: { hostnames: [names.op] } } : {}),
  });
  // `monitor: false`: the apps do not monitor the session (a test of something else, e.g. the idle timeout alone).
  const monitor = options.monitor === false ? false : { interval: options.interval ?? 2000, ...options.monitor };
  const shared = {
    authority: op.url,
    monitor,
    silentRequestTimeoutInSeconds: options.silentRequestTimeoutInSeconds ?? 10,
    // oidc-client-ts's own default: each tab keeps its own user, so two tabs can hold two different users.
    ...(options.perTabUser ? { userStore: 'session' } : {}),
    ...(options.idle ? { idle: options.idle } : {}),
  };
  // WSO2 Identity Server serves its check_session iframe for one client: the app adds `?client_id=` (frameUrl).
  const query = (clientId) => (op.profile === 'wso2' ? { checkSessionQuery: { client_id: clientId } } : {});
  a.configure({ ...shared, client_id: 'app-a', ...query('app-a') });
  b.configure({ ...shared, client_id: 'app-b', ...query('app-b') });
  return {
    op,
    a,
    b,
    async close() {
      await Promise.all([a.close(), b.close(), op.close()]);
    },
  };
}
