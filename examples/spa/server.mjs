// Builds the Vite example and serves the build: the built pages and assets, plus `/config.json` (the OP and the
// client). Used by e2e/spa.spec.ts and by people:
//
//   npm run build && node examples/spa/server.mjs     builds into examples/spa/dist, then the mock OP on :4000
//                                                     and the app on :3004 (OP_PORT, PORT)
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

/**
 * Runs `vite build` for this example (its vite.config.mjs) into `outDir`.
 * @param {{ outDir?: string }} [options]
 */
export async function buildSpa({ outDir = join(here, 'dist') } = {}) {
  const { build } = await import('vite');
  await build({ configFile: join(here, 'vite.config.mjs'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}

/** The client registration of this example at an OP. */
export function spaClient(clientId, origin) {
  return {
    client_id: clientId,
    redirect_uris: [`${origin}/callback.html`, `${origin}/silent.html`],
    post_logout_redirect_uris: [`${origin}/signed-out.html`],
  };
}

/**
 * Serves a build of the example. Tell it the OP with `configure({ authority, client_id, interval })`.
 * @param {{ dir: string, port?: number, host?: string, hostname?: string }} options
 */
export async function startSpaServer({ dir, port = 0, host = '127.0.0.1', hostname = 'localhost' }) {
  let config = {};
  const base = dir.endsWith(sep) ? dir : dir + sep;
  const server = createServer(async (req, res) => {
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    try {
      const { pathname } = new URL(req.url ?? '/', 'http://x');
      if (pathname === '/config.json') {
        res.writeHead(200, { ...headers, 'content-type': 'application/json' });
        res.end(JSON.stringify(config));
        return;
      }
      const file = normalize(join(dir, decodeURIComponent(pathname === '/' ? '/index.html' : pathname)));
      if (!file.startsWith(base)) throw Object.assign(new Error('not found'), { code: 'ENOENT' });
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
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
  return {
    origin: `http://${hostname}:${server.address().port}`,
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

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { startMockOp } = await import('../../dist/mock-op/index.js');
  const dir = await buildSpa();
  const app = await startSpaServer({ dir, port: Number(process.env.PORT ?? 3004) });
  const op = await startMockOp({ port: Number(process.env.OP_PORT ?? 4000), clients: [spaClient('spa', app.origin)] });
  app.configure({ authority: op.url, client_id: 'spa', interval: 2000 });
  console.log(`\n  Mock OpenID Provider  ${op.url}   (users: alice/alice, bob/bob)\n  Vite example          ${app.origin}/\n\n  Ctrl+C stops both.\n`);
  const stop = async () => {
    await Promise.all([app.close(), op.close()]);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
