import { once } from 'node:events';
import { Agent, request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startMockOp } from '../../src/mock-op/index.js';
import { PROFILES } from '../../src/mock-op/profiles.js';
import type { MockOp } from '../../src/mock-op/index.js';
import { TestBrowser, signIn } from './helpers.js';

const RP = 'http://localhost:3000';
let op: MockOp;
let stderr = '';
const write = process.stderr.write.bind(process.stderr);
beforeAll(async () => {
  op = await startMockOp({
    clients: [{ client_id: 'app', redirect_uris: [`${RP}/cb`], post_logout_redirect_uris: [`${RP}/out`], frontchannel_logout_uri: `${RP}/fcl` }],
  });
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
});
afterAll(async () => {
  process.stderr.write = write;
  await op.close();
});

const JUNK: Record<string, string>[] = [
  {},
  { client_id: '' },
  { client_id: 'app', redirect_uri: `${RP}/cb`, response_type: 'code', scope: 'openid', prompt: 'none', id_token_hint: 'a.b.c' },
  { client_id: 'app', redirect_uri: `${RP}/cb`, response_type: 'code', scope: 'openid', code_challenge: '%%%', code_challenge_method: 'S256' },
  { client_id: '__proto__', redirect_uri: 'javascript:alert(1)' },
  { client_id: 'constructor', redirect_uri: `${RP}/cb` },
  { id_token_hint: 'x'.repeat(20_000), post_logout_redirect_uri: '//evil.test' },
  { id_token_hint: '....', client_id: 'app', post_logout_redirect_uri: `${RP}/out` },
  { grant_type: 'authorization_code', code: '', client_id: 'app', redirect_uri: '' },
  { tx: '', username: '', password: '' },
  { tx: 'x', action: 'logout' },
  { max_age: '99999999999999999999', client_id: 'app', redirect_uri: `${RP}/cb`, response_type: 'code', scope: 'openid' },
];
const PATHS = [
  '/authorize',
  '/login',
  '/token',
  '/userinfo',
  '/end_session',
  '/end_session/confirm',
  '/check_session',
  '/check_session/events',
  '/jwks',
  '/.well-known/openid-configuration',
];

describe('bad input never crashes the OP, answers 5xx, or redirects off the registered URIs', () => {
  it('survives junk on every endpoint with GET and POST, with and without a session', async () => {
    const signedIn = new TestBrowser();
    await signIn(signedIn, op, { client_id: 'app', redirect_uri: `${RP}/cb` });
    for (const browser of [new TestBrowser(), signedIn]) {
      for (const path of PATHS) {
        for (const params of JUNK) {
          const query = new URLSearchParams(params).toString();
          const responses = [
            await browser.fetch(`${op.issuer}${path}?${query}`, { signal: AbortSignal.timeout(2000) }),
            await browser.fetch(`${op.issuer}${path}`, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic %%%' },
              body: query,
            }),
          ];
          for (const res of responses) {
            expect(res.status, `${path} ${query}`).toBeLessThan(500);
            const location = res.headers.get('location');
            if (location !== null) expect(location.startsWith(`${RP}/`), `${path} → ${location}`).toBe(true);
            if (path === '/check_session/events' && res.body) await res.body.cancel();
            else await res.arrayBuffer();
          }
        }
      }
    }
    const raw = await fetch(`${op.issuer}/authorize?client_id=%E0%A4%A&redirect_uri=%`, { redirect: 'manual' });
    expect(raw.status).toBe(400);
    expect(stderr).not.toContain('internal error');
  });
});

describe('every OP profile survives junk on its own endpoints', () => {
  it.each(PROFILES)('%s: no 5xx for junk client_ids (constructor, __proto__…) by GET, form POST and JSON POST', async (profile) => {
    const junk: Record<string, string>[] = [...JUNK, { client_id: 'toString', origin: RP }, { client_id: 'hasOwnProperty', origin: RP, redirect_uri: '%' }, { client_id: 'constructor', origin: RP }];
    const profiled = await startMockOp({ profile, clients: [{ client_id: 'app', redirect_uris: [`${RP}/cb`], post_logout_redirect_uris: [`${RP}/out`], frontchannel_logout_uri: `${RP}/fcl` }] });
    try {
      const doc = (await (await fetch(`${profiled.issuer}/.well-known/openid-configuration`)).json()) as Record<string, string>;
      const urls = ['authorization_endpoint', 'end_session_endpoint', 'check_session_iframe', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri'].map((k) => doc[k]!).filter(Boolean);
      // Keycloak's iframe asks its server whether a client_id and origin go together.
      if (doc.check_session_iframe) urls.push(`${doc.check_session_iframe}/init`);
      for (const url of urls) {
        for (const params of junk) {
          const query = new URLSearchParams(params).toString();
          for (const init of [
            { url: `${url}?${query}` },
            { url, method: 'POST', headers: FORM, body: query },
            { url, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) },
          ]) {
            const res = await fetch(init.url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(3000) });
            expect(res.status, `${profile} ${init.method ?? 'GET'} ${url} ${init.body ?? query}`).toBeLessThan(500);
            await res.arrayBuffer();
          }
        }
      }
    } finally {
      await profiled.close();
    }
    expect(stderr).not.toContain('internal error');
  });
});

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The number of the connection (in order of opening) that carried the exchange. */
  connection: number;
}

/** One request through `agent`, over Node's own HTTP client (keep-alive, unlike a fresh fetch per call). */
function send(agent: Agent, method: string, path: string, body?: string | string[], headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(`${op.issuer}${path}`, { agent, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text, connection: connectionNumber(req.socket!) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(3000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    // A string is sent with Content-Length; an array in chunks, without one (Transfer-Encoding: chunked).
    for (const chunk of typeof body === 'string' ? [body] : (body ?? [])) req.write(chunk);
    req.end();
  });
}

const connections = new WeakMap<Socket, number>();
let opened = 0;
function connectionNumber(socket: Socket): number {
  let n = connections.get(socket);
  if (n === undefined) connections.set(socket, (n = ++opened));
  return n;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const OVERSIZED = `a=${'x'.repeat(200 * 1024)}`;

describe('a keep-alive connection stays usable after a refused request', () => {
  it.each<[string, string, string, string | string[], Record<string, string>, number]>([
    ['an oversized form with Content-Length', 'POST', '/token', OVERSIZED, FORM, 413],
    ['an oversized chunked form', 'POST', '/token', Array.from({ length: 50 }, () => 'x'.repeat(8 * 1024)), FORM, 413],
    ['an oversized form on an HTML endpoint', 'POST', '/end_session', OVERSIZED, FORM, 413],
    ['a body that is not a form', 'POST', '/token', '{"grant_type":"authorization_code"}', { 'content-type': 'application/json' }, 400],
    ['a body on a GET-only endpoint', 'POST', '/jwks', OVERSIZED, FORM, 405],
    ['a body on an unknown path', 'POST', '/nowhere', OVERSIZED, FORM, 404],
  ])('%s', async (_name, method, path, body, headers, status) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const warmUp = await send(agent, 'GET', '/jwks');
      expect(warmUp.status).toBe(200);
      const refused = await send(agent, method, path, body, headers);
      expect(refused.status).toBe(status);
      expect(refused.body).toMatch(/invalid_request|not_found|too large|not allowed/i);
      // Refused bodies close the connection, after reading them, so the client reads the whole answer.
      if (status === 413 || status === 400) expect(refused.headers.connection).toBe('close');
      const next = await send(agent, 'GET', '/.well-known/openid-configuration');
      expect(next.status).toBe(200);
      expect(JSON.parse(next.body)).toMatchObject({ issuer: op.issuer });
      const form = await send(agent, 'POST', '/token', 'grant_type=authorization_code&client_id=nobody', FORM);
      expect(form.status).toBe(401);
      expect(JSON.parse(form.body)).toMatchObject({ error: 'invalid_client' });
      if (refused.headers.connection === 'close') expect(next.connection).not.toBe(refused.connection);
      else expect(next.connection).toBe(refused.connection);
    } finally {
      agent.destroy();
    }
  });

  it('stops reading a body past 8 MiB: 413 or a dropped connection, never a hang, and keeps serving', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const huge = Array.from({ length: 10 }, () => 'x'.repeat(1024 * 1024));
      const outcome = await send(agent, 'POST', '/token', huge, FORM).then(
        (res) => res.status,
        (error: NodeJS.ErrnoException) => error.code,
      );
      expect([413, 'ECONNRESET', 'EPIPE']).toContain(outcome);
      const next = await send(agent, 'GET', '/jwks');
      expect(next.status).toBe(200);
    } finally {
      agent.destroy();
    }
  });

  it('answers 413 on a raw socket without resetting it, then closes it cleanly', async () => {
    const socket = connect(op.port, '127.0.0.1');
    let raw = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (raw += chunk));
    const ended = new Promise<void>((resolve, reject) => {
      socket.once('end', resolve);
      socket.once('error', reject);
    });
    await once(socket, 'connect');
    socket.write(
      `POST /token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${OVERSIZED.length}\r\n\r\n${OVERSIZED}`,
    );
    await ended;
    socket.destroy();
    expect(raw).toMatch(/^HTTP\/1\.1 413 /);
    expect(raw.toLowerCase()).toContain('connection: close');
    expect(raw).toContain('"error":"invalid_request"');
  });

  it('shrugs off a client that goes away mid-body', async () => {
    const socket = connect(op.port, '127.0.0.1');
    await once(socket, 'connect');
    op.clearRequests();
    socket.write('POST /token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ngrant_type=');
    // The OP is reading the body when the client goes.
    await vi.waitFor(() => expect(op.requests.map((r) => r.path)).toContain('/token'));
    socket.destroy();
    const next = await fetch(`${op.issuer}/jwks`);
    expect(next.status).toBe(200);
    expect(stderr).not.toContain('internal error');
  });
});
