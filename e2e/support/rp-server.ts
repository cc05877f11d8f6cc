import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';

/** What one path answers. A plain string is served as HTML. */
export interface RpRoute {
  /** Response body. */
  body?: string;
  /** A file to serve instead of `body` (read on each request). */
  file?: string;
  /** Defaults from the file extension or `text/html`. */
  contentType?: string;
  status?: number;
  headers?: Record<string, string>;
}

export type RpRouteValue = string | RpRoute | ((req: IncomingMessage, url: URL) => string | RpRoute);

export interface RpServerOptions {
  /** Path (without query) → response. Unknown paths get 404. */
  routes: Record<string, RpRouteValue>;
  /** 0 (default) = a free port. */
  port?: number;
  /** Interface to listen on. Default `'127.0.0.1'`. */
  host?: string;
  /** Host name used in `url`. Default `'localhost'`. */
  hostname?: string;
  /** Serve https with this certificate (for example the mock OP's `op.tls`). */
  tls?: { cert: string; key: string };
}

export interface RpServerRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  at: number;
}

export interface RpServer {
  /** `scheme://hostname:port`, no trailing slash. */
  url: string;
  origin: string;
  port: number;
  /** Every request received, in order. */
  requests: RpServerRequest[];
  /** Adds or replaces a route while running. */
  route(path: string, value: RpRouteValue): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

function contentTypeOf(path: string): string {
  return TYPES[extname(path)] ?? 'text/html; charset=utf-8';
}

/**
 * A tiny static server for the pages of test Relying Parties: given HTML strings, files or functions
 * on given paths, over http or https. For end-to-end tests only.
 */
export async function startRpServer(options: RpServerOptions): Promise<RpServer> {
  const routes = new Map(Object.entries(options.routes));
  const requests: RpServerRequest[] = [];

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://rp.invalid');
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), at: Date.now() });
    const value = routes.get(url.pathname);
    try {
      if (value === undefined) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('not found');
        return;
      }
      const resolved = typeof value === 'function' ? value(req, url) : value;
      const route: RpRoute = typeof resolved === 'string' ? { body: resolved } : resolved;
      const body = route.file !== undefined ? readFileSync(route.file) : Buffer.from(route.body ?? '', 'utf8');
      res.writeHead(route.status ?? 200, {
        'Content-Type': route.contentType ?? contentTypeOf(route.file ?? url.pathname),
        'Content-Length': String(body.length),
        'Cache-Control': 'no-store',
        ...route.headers,
      });
      res.end(body);
    } catch (error) {
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(String(error));
    }
  };

  const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest) : createHttpServer(onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${options.tls ? 'https' : 'http'}://${options.hostname ?? 'localhost'}:${port}`;
  return {
    url,
    origin: url,
    port,
    requests,
    route(path, value) {
      routes.set(path, value);
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
