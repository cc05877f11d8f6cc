import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { handleAuthorize } from './authorize.js';
import { BrowserStore } from './browser-state.js';
import { handleCheckSessionEvents, handleCheckSessionPage, handleCheckSessionScript, handleCheckSessionWorker } from './check-session.js';
import type { OpContext } from './context.js';
import { createCookieJar } from './cookies.js';
import { PATHS, handleDiscovery, handleJwks } from './discovery.js';
import { handleEndSession, handleEndSessionConfirm, handleEndSessionDone, handleFrontChannelScript } from './end-session.js';
import { BadBodyError, firstValues, readForm, sendHtml, sendJson } from './http.js';
import { keycloakRefreshTokenMinter } from './keycloak-tokens.js';
import { createSigningKeys } from './keys.js';
import { handleLogin } from './login.js';
import { resolveOptions } from './options.js';
import {
  KEYCLOAK_PROBE,
  handleHashScript,
  handleKeycloakInit,
  handleKeycloakProbePage,
  handleNodeOidcProviderInit,
  handleProfileCheckSessionPage,
  handleProfileIframeScript,
  profileScriptPaths,
} from './profile-check-session.js';
import { createProfile, ownPaths } from './profiles.js';
import { errorPage } from './pages.js';
import { RefreshGrants } from './refresh-tokens.js';
import { createSelfSignedCertificate } from './tls.js';
import { handlePreflight, handleToken } from './token.js';
import type { MockOp, MockOpOptions, MockOpOutage, MockOpRequest } from './types.js';
import { handleUserinfo } from './userinfo.js';

type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  form: URLSearchParams | undefined,
  entry: MockOpRequest,
) => void | Promise<void>;

interface Route {
  GET?: Handler;
  POST?: Handler;
  OPTIONS?: Handler;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function sendError(res: ServerResponse, jsonPaths: Set<string>, path: string, status: number, error: string, description: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // OAuth JSON endpoints answer errors in JSON; everything a browser navigates to gets an HTML page.
  if (jsonPaths.has(path)) sendJson(res, status, { error, error_description: description }, { 'Cache-Control': 'no-store' });
  else sendHtml(res, status, errorPage(error, description));
}

/**
 * Starts a mock OpenID Provider on loopback: discovery, JWKS, authorization (login form, SSO,
 * `prompt=none`), token, userinfo, `check_session_iframe`, `end_session_endpoint` with front-channel
 * logout, and controls for tests. Options are checked first: a bad one rejects the promise with a `TypeError` that
 * names it (nothing is thrown synchronously).
 *
 * @see https://openid.net/specs/openid-connect-session-1_0.html
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html
 * @see https://openid.net/specs/openid-connect-frontchannel-1_0.html
 * @example
 * ```ts
 * const op = await startMockOp({ clients: [{ client_id: 'app', redirect_uris: ['http://localhost:3000/cb'] }] });
 * console.log(op.issuer); // http://localhost:54321
 * await op.close();
 * ```
 */
export async function startMockOp(options: MockOpOptions): Promise<MockOp> {
  return start(resolveOptions(options));
}

async function start(options: ReturnType<typeof resolveOptions>): Promise<MockOp> {
  const tls = options.https
    ? await createSelfSignedCertificate([...options.https.hostnames, options.hostname, 'localhost', '127.0.0.1', '::1'])
    : undefined;

  const requests: MockOpRequest[] = [];
  const sockets = new Set<Socket>();
  const streams = new Set<ServerResponse>();
  const hung = new Set<ServerResponse>();
  let outage: MockOpOutage | null = null;
  /** The outage changes in progress, chained so that each starts when the previous one is done. */
  let outageChanges: Promise<unknown> = Promise.resolve();
  // Filled in once the port is known: the issuer and the cookie names depend on it.
  let ctx: OpContext | undefined;
  const profile = createProfile(options.profile);
  const paths = profile.paths;
  const discoveryPath = profile.issuerPath + PATHS.discovery;
  const jsonPaths = new Set<string>([paths.token, paths.userinfo, discoveryPath, paths.jwks]);
  const hashScriptLost = { value: false };

  const routes = new Map<string, Route>();
  const c = (): OpContext => ctx!;
  routes.set(discoveryPath, { GET: (req, res) => handleDiscovery(c(), req, res) });
  routes.set(paths.jwks, { GET: (req, res) => handleJwks(c(), req, res) });
  routes.set(paths.authorize, {
    GET: (req, res, url) => handleAuthorize(c(), req, res, url.searchParams),
    POST: (req, res, _u, form) => handleAuthorize(c(), req, res, form!),
  });
  const own = ownPaths(profile);
  routes.set(own.login, { POST: (req, res, _u, form) => handleLogin(c(), req, res, form!) });
  routes.set(paths.token, {
    POST: (req, res, _u, form, entry) => handleToken(c(), req, res, form!, entry),
    OPTIONS: (req, res) => handlePreflight(c(), req, res),
  });
  routes.set(paths.userinfo, {
    GET: (req, res) => handleUserinfo(c(), req, res),
    POST: (req, res, _u, form) => handleUserinfo(c(), req, res, form),
    OPTIONS: (req, res) => handlePreflight(c(), req, res),
  });
  if (paths.checkSession === undefined) {
    // No session management: nothing to serve.
  } else if (profile.iframe === null) {
    routes.set(paths.checkSession, { GET: (req, res) => handleCheckSessionPage(c(), req, res) });
    routes.set(PATHS.checkSessionScript, { GET: (_q, res) => handleCheckSessionScript(res) });
    routes.set(PATHS.checkSessionWorker, { GET: (_q, res) => handleCheckSessionWorker(res) });
    routes.set(PATHS.checkSessionEvents, { GET: (req, res) => handleCheckSessionEvents(c(), req, res, streams) });
  } else {
    const page: Route = { GET: (req, res, url) => handleProfileCheckSessionPage(c(), req, res, url) };
    if (profile.iframe.init === 'POST') page.POST = (req, res) => handleNodeOidcProviderInit(c(), req, res);
    routes.set(paths.checkSession, page);
    if (profile.iframe.init === 'GET') routes.set(`${paths.checkSession}/init`, { GET: (_q, res, url) => handleKeycloakInit(c(), res, url) });
    if (!profile.iframe.inline) {
      const scripts = profileScriptPaths(profile);
      routes.set(scripts.hash, { GET: (_q, res) => handleHashScript(c(), res) });
      routes.set(scripts.iframe, { GET: (_q, res) => handleProfileIframeScript(res) });
    }
  }
  if (profile.name === 'keycloak') {
    const probe = `${profile.issuerPath}/protocol/openid-connect/3p-cookies/`;
    routes.set(probe + KEYCLOAK_PROBE.step1, { GET: (_q, res) => handleKeycloakProbePage(c(), res, 1) });
    routes.set(probe + KEYCLOAK_PROBE.step2, { GET: (_q, res) => handleKeycloakProbePage(c(), res, 2) });
  }
  // node-oidc-provider's origin check POSTs JSON to the iframe URL: that body is not a form.
  const jsonBodyPaths = new Set<string>(profile.iframe?.init === 'POST' && paths.checkSession ? [paths.checkSession] : []);
  routes.set(paths.endSession, {
    GET: (req, res, url) => handleEndSession(c(), req, res, url.searchParams),
    POST: (req, res, _u, form) => handleEndSession(c(), req, res, form!),
  });
  routes.set(own.endSessionConfirm, { POST: (req, res, _u, form) => handleEndSessionConfirm(c(), req, res, form!) });
  routes.set(own.endSessionDone, { GET: (_q, res) => handleEndSessionDone(res) });
  routes.set(own.frontChannelScript, { GET: (_q, res) => handleFrontChannelScript(res) });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://mock-op.invalid');
    } catch {
      url = new URL('http://mock-op.invalid/');
    }
    const entry: MockOpRequest = { method, path: url.pathname, query: firstValues(url.searchParams), at: Date.now() };
    if (req.headers.origin !== undefined) entry.origin = req.headers.origin;
    // Every answer goes through writeHead (end() without it calls it too): the status is logged before a byte is sent.
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((...args: unknown[]) => {
      entry.status = args[0] as number;
      return writeHead(...args);
    }) as ServerResponse['writeHead'];
    requests.push(entry);
    if (requests.length > options.requestLogLimit) requests.splice(0, requests.length - options.requestLogLimit);

    if (outage === 'hang') {
      hung.add(res);
      res.on('close', () => hung.delete(res));
      return;
    }
    if (outage === 'error') {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '1', 'Cache-Control': 'no-store' });
      res.end('The mock OP is simulating an outage.');
      return;
    }

    const route = routes.get(url.pathname);
    const handler = route?.[method as keyof Route];
    if (route === undefined) return sendError(res, jsonPaths, url.pathname, 404, 'not_found', 'There is nothing here.');
    if (handler === undefined) {
      res.setHeader('Allow', Object.keys(route).join(', '));
      return sendError(res, jsonPaths, url.pathname, 405, 'invalid_request', `${method} is not allowed here.`);
    }
    let form: URLSearchParams | undefined;
    if (method === 'POST' && !jsonBodyPaths.has(url.pathname)) {
      try {
        form = await readForm(req);
      } catch (error) {
        if (error instanceof BadBodyError) {
          res.setHeader('Connection', 'close');
          return sendError(res, jsonPaths, url.pathname, error.status, 'invalid_request', error.message);
        }
        throw error;
      }
      entry.form = firstValues(form);
      // A refresh token is a credential that lives for the whole session: it stays out of the log.
      if (entry.form.refresh_token !== undefined) entry.form.refresh_token = '[redacted]';
      const grantType = form.get('grant_type');
      if (grantType !== null) entry.grantType = grantType;
    }
    const params = form ?? url.searchParams;
    const prompt = params.get('prompt');
    if (prompt !== null) entry.prompt = prompt;
    const clientId = params.get('client_id');
    if (clientId !== null) entry.client_id = clientId;
    await handler(req, res, url, form, entry);
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      // A bug, not bad input: answer without details, keep the server up, and say so on stderr.
      process.stderr.write(`mock-op: internal error on ${req.method} ${req.url}: ${String(error)}\n`);
      try {
        sendError(res, jsonPaths, '', 500, 'server_error', 'The mock OP hit an internal error.');
      } catch {
        res.destroy();
      }
    });
  };

  const createServer = (): Server => {
    const server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, onRequest) : createHttpServer(onRequest);
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    server.on('secureConnection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    server.on('clientError', (_error, socket: Socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    return server;
  };

  let server: Server | undefined = createServer();
  const port = await listen(server, options.port, options.host);
  const origin = `${tls ? 'https' : 'http'}://${options.hostname}:${port}`;
  const issuer = origin + profile.issuerPath;
  const registeredOrigins = new Set<string>();
  for (const client of options.clients.values()) for (const uri of client.redirect_uris) registeredOrigins.add(new URL(uri).origin);
  ctx = {
    options,
    profile,
    issuer,
    keys: await createSigningKeys(issuer),
    store: new BrowserStore(profile.name === 'spec' ? options.sessionStateMode : profile.scope, profile.newState, profile.anonymousState, profile.newSid),
    hashScriptLost,
    cookies: createCookieJar(port, tls !== undefined),
    codes: new Map(),
    accessTokens: new Map(),
    refreshGrants: new RefreshGrants(profile.tokenFormat === 'keycloak' ? keycloakRefreshTokenMinter(issuer, () => Math.floor(Date.now() / 1000 + options.clockSkewSeconds)) : undefined),
    loginTransactions: new Map(),
    logoutTransactions: new Map(),
    registeredOrigins,
  };

  // A grant bound to its OP session ends with it: nothing of an ended session is kept (see `RefreshRules`).
  if (profile.refresh.sessionBound) {
    const grants = ctx.refreshGrants;
    ctx.store.onSessionEnd((session) => grants.revokeWhere((g) => g.sessionSid === session.sid));
  }

  const stop = async (): Promise<void> => {
    const current = server;
    server = undefined;
    for (const res of hung) res.destroy();
    for (const res of streams) res.destroy();
    if (current === undefined) return;
    const closed = new Promise<void>((resolve) => current.close(() => resolve()));
    current.closeAllConnections();
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  let closed = false;
  const op: MockOp = {
    url: issuer,
    issuer,
    port,
    profile: profile.name,
    checkSessionIframe: paths.checkSession === undefined ? undefined : origin + paths.checkSession,
    endSessionEndpoint: origin + paths.endSession,
    ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
    requests,
    clearRequests() {
      requests.length = 0;
    },
    endSession(selector) {
      // A typo (`{ user: 'x' }`, a bare string) must not end every session: only an object of strings `sub` / `sid`.
      if (selector !== undefined) {
        const fields = typeof selector === 'object' && selector !== null ? Object.entries(selector) : [];
        if (fields.length === 0 || fields.some(([key, value]) => (key !== 'sub' && key !== 'sid') || typeof value !== 'string')) {
          throw new TypeError('endSession(selector): selector must be { sub?: string, sid?: string } with at least one of them, or left out to end every session.');
        }
      }
      ctx!.store.endSessions(selector);
    },
    expireAllSessions() {
      ctx!.store.endSessions();
    },
    revokeRefreshTokens(selector) {
      // As endSession: a selector that cannot be read must not revoke every grant.
      if (selector !== undefined) {
        const fields = typeof selector === 'object' && selector !== null ? Object.entries(selector) : [];
        if (fields.length === 0 || fields.some(([key, value]) => (key !== 'sub' && key !== 'client_id') || typeof value !== 'string')) {
          throw new TypeError(
            'revokeRefreshTokens(selector): selector must be { sub?: string, client_id?: string } with at least one of them, or left out to revoke every grant.',
          );
        }
      }
      const { sub, client_id: clientId } = selector ?? {};
      return ctx!.refreshGrants.revokeWhere((g) => (sub === undefined || g.sub === sub) && (clientId === undefined || g.clientId === clientId));
    },
    async outage(mode) {
      if (closed) throw new Error('The mock OP is closed.');
      if (mode !== null && mode !== 'down' && mode !== 'hang' && mode !== 'error') {
        throw new TypeError("outage(mode): mode must be 'down', 'hang', 'error' or null.");
      }
      // One change at a time, in call order: a call made before the previous one settled (not awaited) waits for it
      // instead of closing a server that is still starting to listen.
      const change = outageChanges.then(async () => {
        const previous = outage;
        outage = mode;
        if (previous === 'hang' && mode !== 'hang') for (const res of hung) res.destroy();
        if (mode === 'down' && server !== undefined) await stop();
        if (mode !== 'down' && server === undefined) {
          server = createServer();
          await listen(server, port, options.host);
        }
      });
      outageChanges = change.catch(() => undefined);
      return change;
    },
    loseHashScript(lost) {
      hashScriptLost.value = lost === true;
    },
    async close() {
      if (closed) return;
      closed = true;
      await stop();
    },
  };
  return op;
}
