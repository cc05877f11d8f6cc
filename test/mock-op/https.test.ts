import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOp } from '../../src/mock-op/index.js';
import type { MockOp } from '../../src/mock-op/index.js';

function get(op: MockOp, path: string, servername: string, ca?: string): Promise<{ status: number; body: string; cookies: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: op.port, servername, path, ...(ca ? { ca } : {}), headers: { host: `${servername}:${op.port}` } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cookies: ([] as string[]).concat(res.headers['set-cookie'] ?? []) }));
    });
    req.on('error', reject);
    req.end();
  });
}

let op: MockOp;
beforeAll(async () => {
  op = await startMockOp({
    https: { hostnames: ['op.test', 'rp-a.test'] },
    hostname: 'op.test',
    clients: [{ client_id: 'app', redirect_uris: ['https://rp-a.test/cb'] }],
  });
});
afterAll(() => op.close());

describe('https', () => {
  it('exposes a PEM certificate for its names plus localhost and 127.0.0.1', () => {
    expect(op.issuer).toBe(`https://op.test:${op.port}`);
    expect(op.tls?.key).toContain('PRIVATE KEY');
    const cert = new X509Certificate(op.tls!.cert);
    for (const name of ['op.test', 'rp-a.test', 'localhost']) expect(cert.checkHost(name)).toBe(name);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  it('serves discovery to a client that trusts the certificate through `ca`, and only to it', async () => {
    const res = await get(op, '/.well-known/openid-configuration', 'op.test', op.tls!.cert);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ issuer: op.issuer, check_session_iframe: `${op.issuer}/check_session` });
    await expect(get(op, '/jwks', 'op.test')).rejects.toThrow(/self.signed|certificate/i);
  });

  it('sets SameSite=None; Secure cookies for cross-site iframes', async () => {
    const res = await get(op, '/check_session', 'op.test', op.tls!.cert);
    expect(res.cookies.length).toBe(2);
    for (const cookie of res.cookies) expect(cookie).toMatch(/SameSite=None; Secure/);
  });
});
