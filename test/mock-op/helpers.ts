import { createHash, randomBytes } from 'node:crypto';
import type { MockOp } from '../../src/mock-op/index.js';

/** A PKCE pair (RFC 7636, S256). */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * A minimal browser over Node's fetch: keeps cookies (one jar per instance, ignoring ports as browsers
 * do for names), never follows redirects on its own.
 */
export class TestBrowser {
  readonly cookies = new Map<string, string>();

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      if (/max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, pair!.slice(eq + 1));
    }
    return res;
  }

  get(url: string): Promise<Response> {
    return this.fetch(url);
  }

  post(url: string, form: Record<string, string>): Promise<Response> {
    return this.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** The value of the mock OP's JS-readable browser-state cookie. */
  browserState(op: MockOp): string | undefined {
    return this.cookies.get(`mockop${op.port}_bs`);
  }
}

export interface AuthParams {
  client_id: string;
  redirect_uri: string;
  [name: string]: string;
}

export function authorizeUrl(op: MockOp, params: AuthParams): string {
  const url = new URL(`${op.issuer}/authorize`);
  for (const [k, v] of Object.entries({ response_type: 'code', scope: 'openid', ...params })) url.searchParams.set(k, v);
  return url.href;
}

/** The `tx` hidden field of a login or confirmation form. */
export function formTx(html: string): string {
  const match = /name="tx" value="([^"]+)"/.exec(html);
  if (!match) throw new Error(`no tx in page: ${html.slice(0, 300)}`);
  return match[1]!;
}

/** Parameters of a redirect response's Location. */
export function redirectParams(res: Response): URLSearchParams {
  const location = res.headers.get('location');
  if (location === null) throw new Error(`expected a redirect, got ${res.status}`);
  return new URL(location).searchParams;
}

export interface SignInResult {
  code: string;
  session_state: string;
  state: string | null;
  verifier: string;
  location: string;
}

/**
 * Runs the authorization request; if the OP shows the login form, submits `user`'s credentials.
 * Resolves with the code response.
 */
export async function signIn(
  browser: TestBrowser,
  op: MockOp,
  params: AuthParams,
  user: { username: string; password: string } | undefined = { username: 'alice', password: 'alice' },
): Promise<SignInResult> {
  const { verifier, challenge } = pkce();
  let res = await browser.get(authorizeUrl(op, { code_challenge: challenge, code_challenge_method: 'S256', state: 'st', ...params }));
  if (res.status === 200) {
    if (user === undefined) throw new Error('login form shown unexpectedly');
    const tx = formTx(await res.text());
    res = await browser.post(`${op.issuer}/login`, { tx, ...user });
  }
  const location = res.headers.get('location');
  if (location === null) throw new Error(`no redirect: ${res.status} ${await res.text()}`);
  const p = new URL(location).searchParams;
  if (p.get('code') === null) throw new Error(`no code: ${location}`);
  return { code: p.get('code')!, session_state: p.get('session_state')!, state: p.get('state'), verifier, location };
}

export async function redeem(
  op: MockOp,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${op.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

/** Signs in and redeems the code; returns the tokens and the authorization response. */
export async function signInWithTokens(
  browser: TestBrowser,
  op: MockOp,
  params: AuthParams,
  user?: { username: string; password: string },
): Promise<SignInResult & { id_token: string; access_token: string }> {
  const result = await signIn(browser, op, params, user);
  const { status, body } = await redeem(op, {
    grant_type: 'authorization_code',
    code: result.code,
    redirect_uri: params.redirect_uri,
    client_id: params.client_id,
    code_verifier: result.verifier,
  });
  if (status !== 200) throw new Error(`token failed: ${JSON.stringify(body)}`);
  return { ...result, id_token: body.id_token as string, access_token: body.access_token as string };
}

/** The session_state the check_session iframe would compute, for a given opbs. */
export function decodeJwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/**
 * What the check_session iframe does, written independently of the OP's code: the opbs for
 * `clientId` from a browser-state cookie value, then `hash.salt` recomputed for `origin`.
 */
export function iframeVerdict(cookie: string | undefined, clientId: string, origin: string, sessionState: string): 'changed' | 'unchanged' {
  const entries = (cookie ?? '').split('!');
  const key = createHash('sha256').update(clientId).digest('base64url').slice(0, 16);
  const own = entries.slice(1).find((e) => e.slice(0, e.indexOf('.')) === key);
  const opbs = own === undefined ? entries[0]! : own.slice(own.indexOf('.') + 1);
  const salt = sessionState.slice(sessionState.indexOf('.') + 1);
  const hash = createHash('sha256').update(`${clientId} ${origin} ${opbs} ${salt}`).digest('base64url');
  return `${hash}.${salt}` === sessionState ? 'unchanged' : 'changed';
}
