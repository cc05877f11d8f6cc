// @vitest-environment node
import { createHash, webcrypto } from 'node:crypto';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startMockOp } from '../../src/mock-op/index.js';
import type { MockOp, MockOpProfile } from '../../src/mock-op/index.js';

// The check_session iframe of each OP profile, message by message: the page and its scripts are fetched from a
// running mock OP and run in node:vm with a fake document, so each profile's rules (what it ignores, what it calls
// `error`, whom it answers, what it says without its cookie) are checked apart from a browser. The browser suite
// runs the same iframes in place for the normal flows.

const RP_A = 'http://localhost:3000';
const RP_B = 'http://localhost:4000';
const EVIL = 'http://evil.test';
const PROFILES: MockOpProfile[] = ['wso2', 'django', 'janssen', 'keycloak', 'node-oidc-provider'];
const ops = new Map<MockOpProfile, MockOp>();

beforeAll(async () => {
  for (const profile of PROFILES) {
    ops.set(profile, await startMockOp({ profile, clients: [{ client_id: 'app-a', redirect_uris: [`${RP_A}/cb`] }, { client_id: 'app-b', redirect_uris: [`${RP_B}/cb`] }] }));
  }
});
afterAll(async () => {
  for (const op of ops.values()) await op.close();
});

const unescape = (text: string) => text.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** The page's scripts in document order: inline ones as they are, the others fetched from the OP. */
async function scriptsOf(html: string, base: string): Promise<string[]> {
  return Promise.all(
    [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map(async ([, attributes, text]) => {
      const src = /src="([^"]+)"/.exec(attributes!)?.[1];
      return src === undefined ? text! : (await fetch(new URL(src, base))).text();
    }),
  );
}

/**
 * Loads `profile`'s iframe; `storageAccess`: what `document.hasStorageAccess()` says (absent: no such API);
 * `cookie`: the value of the profile's state cookie (absent: none); `requestAccess`: what `document.requestStorageAccess()`
 * does (absent: no such API).
 */
async function iframe(profile: MockOpProfile, storageAccess?: boolean, cookie?: string | { raw: (name: string) => string }, requestAccess?: 'grant' | 'refuse') {
  const op = ops.get(profile)!;
  const origin = new URL(op.issuer).origin;
  const html = await (await fetch(profile === 'wso2' ? `${op.checkSessionIframe}?client_id=app-a` : op.checkSessionIframe!)).text();
  const body = /<body([^>]*)>/.exec(html)![1]!;
  const attributes = Object.fromEntries([...body.matchAll(/data-([a-z-]+)="([^"]*)"/g)].map((m) => [m[1]!, unescape(m[2]!)]));
  const scripts = await scriptsOf(html, op.checkSessionIframe!);
  let listener: ((event: unknown) => void) | undefined;
  const page: Record<string, unknown> = {
    document: {
      body: { getAttribute: (name: string) => (name.startsWith('data-') ? (attributes[name.slice(5)] ?? null) : null) },
      cookie: cookie === undefined ? '' : typeof cookie === 'string' ? `other=1; ${attributes.cookie}=${cookie}` : cookie.raw(attributes.cookie!),
      ...(storageAccess === undefined ? {} : { hasStorageAccess: async () => storageAccess }),
      ...(requestAccess === undefined ? {} : { requestStorageAccess: async () => { if (requestAccess === 'refuse') throw new Error('NotAllowedError'); } }),
    },
    addEventListener: (type: string, fn: (event: unknown) => void) => void (type === 'message' && (listener = fn)),
    // The init checks go to the OP itself, with a relative URL as in the page.
    fetch: (url: string, init?: RequestInit) => fetch(new URL(url, origin), init),
    TextEncoder,
    crypto: webcrypto,
    btoa,
  };
  page.window = page;
  vm.createContext(page);
  for (const script of scripts) vm.runInContext(script, page);
  const replies: string[] = [];
  const post = (data: unknown, from: string) =>
    listener!({ data, origin: from, source: { postMessage: (status: string, target: string) => target === from && replies.push(status) } });
  /** The answer to a message, once it came (a hash and maybe an init request to the OP first). */
  const send = async (data: unknown, from = RP_A) => {
    const before = replies.length;
    post(data, from);
    await vi.waitFor(() => expect(replies.length).toBeGreaterThan(before), { timeout: 5000 });
    return replies.slice(before).join(',');
  };
  /** 'no answer' when a message is ignored. */
  const ignores = async (data: unknown, from = RP_A) => {
    const before = replies.length;
    post(data, from);
    // A fixed wait that only shows that nothing happens: an answer would come within milliseconds.
    await new Promise((resolve) => setTimeout(resolve, 60));
    return replies.length === before ? 'no answer' : replies.slice(before).join(',');
  };
  return { send, ignores };
}

describe("each profile's check_session iframe, message by message", () => {
  it('wso2: answers only the callback origin of the client in its URL, splits at the first space, hashes "null" without its cookie', async () => {
    const f = await iframe('wso2');
    expect(await f.ignores('app-a abc.salt', EVIL)).toBe('no answer');
    expect(await f.send('app-a abc.salt')).toBe('changed');
    expect(await f.send('app-a ')).toBe('error');
  });

  it('wso2: the text "null" is an error; a message without a second part gets no answer (its script throws)', async () => {
    const f = await iframe('wso2');
    expect(await f.send('null')).toBe('error');
    expect(await f.send('null abc.salt')).toBe('error');
    expect(await f.send('app-a null')).toBe('error');
    expect(await f.ignores('app-a')).toBe('no answer');
  });

  it('wso2: a session_state without "." is hashed with the salt "undefined", so it never matches', async () => {
    const opbs = 'opbs-1';
    const hex = (text: string) => createHash('sha256').update(text).digest('hex');
    const f = await iframe('wso2', undefined, opbs);
    expect(await f.send(`app-a ${hex(`app-a ${RP_A} ${opbs}`)}`)).toBe('changed');
    expect(await f.send(`app-a ${hex(`app-a ${RP_A} ${opbs} undefined`)}.undefined`)).toBe('unchanged');
    expect(await f.send(`app-a ${hex(`app-a ${RP_A} ${opbs} s1`)}.s1`)).toBe('unchanged');
  });

  it('wso2: finds its cookie by a substring match on "<name>=", as WSO2 finds "opbs=", even inside another cookie', async () => {
    const hex = (text: string) => createHash('sha256').update(text).digest('hex');
    const f = await iframe('wso2', undefined, { raw: (name) => `other=${name}=first; ${name}=second` });
    expect(await f.send(`app-a ${hex(`app-a ${RP_A} first s1`)}.s1`)).toBe('unchanged');
    expect(await f.send(`app-a ${hex(`app-a ${RP_A} second s1`)}.s1`)).toBe('changed');
  });

  it('django: ignores non-strings and the string "error", answers every origin, error without its cookie or a second part', async () => {
    const f = await iframe('django');
    expect(await f.ignores(42)).toBe('no answer');
    expect(await f.ignores('error')).toBe('no answer');
    expect(await f.send('app-a')).toBe('error');
    expect(await f.send('app-a abc.salt', EVIL)).toBe('error');
  });

  it('janssen: the spec example — any origin, first space, changed without its cookie', async () => {
    const f = await iframe('janssen');
    expect(await f.send('app-a abc.salt', EVIL)).toBe('changed');
    expect(await f.send('app-a abc.salt more')).toBe('changed');
    expect(await f.send('app-a')).toBe('error');
  });

  it('keycloak: exactly two parts; the first (client_id, origin) checked at the OP, other pairs then error; no cookie is changed unless the session_state is empty, whatever the pair', async () => {
    const f = await iframe('keycloak', true);
    expect(await f.ignores('a b c')).toBe('no answer');
    expect(await f.send('app-a abc')).toBe('changed');
    expect(await f.send('app-a ')).toBe('unchanged');
    // Keycloak answers the missing cookie before it looks at the pair.
    expect(await f.send('app-b abc', RP_B)).toBe('changed');
    const foreign = await iframe('keycloak', true);
    expect(await foreign.send('app-a abc', EVIL)).toBe('error');
    const blocked = await iframe('keycloak', false);
    expect(await blocked.send('app-a abc')).toBe('error');
  });

  it('keycloak: compares base64url(SHA-256(session_state)) with KEYCLOAK_SESSION, and still reads the <realm>/<user>/<session> form of before 26.1', async () => {
    const hashed = await iframe('keycloak', true, createHash('sha256').update('session-1').digest('base64url'));
    expect(await hashed.send('app-a session-1')).toBe('unchanged');
    expect(await hashed.send('app-a session-0')).toBe('changed');
    expect(await hashed.send('app-b session-1', RP_B)).toBe('error');
    const legacy = await iframe('keycloak', true, 'demo/user-1/session-1');
    expect(await legacy.send('app-a session-1')).toBe('unchanged');
    expect(await legacy.send('app-a session-0')).toBe('changed');
  });

  it('keycloak: asks the OP once; after a refused origin every message is an error, with no further request', async () => {
    const op = ops.get('keycloak')!;
    const inits = () => op.requests.filter((r) => r.path.endsWith('/login-status-iframe.html/init')).length;
    const f = await iframe('keycloak', true);
    const before = inits();
    expect(await f.send('app-a abc', EVIL)).toBe('error');
    expect(await f.send('app-a abc', EVIL)).toBe('error');
    expect(await f.send('app-a abc')).toBe('error');
    expect(inits() - before).toBe(1);
  });

  it('keycloak: without storage access it asks for it, and reads its cookie when the browser grants it', async () => {
    const granted = await iframe('keycloak', false, createHash('sha256').update('session-1').digest('base64url'), 'grant');
    expect(await granted.send('app-a session-1')).toBe('unchanged');
    const refused = await iframe('keycloak', false, createHash('sha256').update('session-1').digest('base64url'), 'refuse');
    expect(await refused.send('app-a session-1')).toBe('error');
  });

  it('node-oidc-provider: ignores anything but two non-empty parts and one dot; the pair checked at the OP; without its cookie, error unless storage access', async () => {
    const f = await iframe('node-oidc-provider', true);
    for (const ignored of [42, 'a b c', 'app-a x.y.z', 'app-a ', ' x.y']) expect(await f.ignores(ignored), String(ignored)).toBe('no answer');
    expect(await f.send('app-a x.y')).toBe('changed');
    expect(await (await iframe('node-oidc-provider', true)).send('app-a x.y', EVIL)).toBe('error');
    expect(await (await iframe('node-oidc-provider', true)).send('nobody x.y')).toBe('error');
    expect(await (await iframe('node-oidc-provider', false)).send('app-a x.y')).toBe('error');
  });
});
