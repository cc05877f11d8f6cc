import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { integer, oid, time } from '../../src/mock-op/der.js';
import { createSelfSignedCertificate } from '../../src/mock-op/tls.js';

function get(port: number, servername: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, servername, ca, path: '/' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('DER encoder', () => {
  it('encodes OIDs, integers and times as X.690 says', () => {
    expect(oid('1.2.840.113549.1.1.11').toString('hex')).toBe('06092a864886f70d01010b');
    expect(integer(Buffer.from([0x00, 0x00, 0x7f])).toString('hex')).toBe('02017f');
    expect(integer(Buffer.from([0x80])).toString('hex')).toBe('02020080');
    expect(time(new Date('2030-01-02T03:04:05Z')).toString('ascii', 2)).toBe('300102030405Z');
    expect(time(new Date('2051-01-02T03:04:05Z'))[0]).toBe(0x18);
  });
});

describe('self-signed certificate', () => {
  it('parses with X509Certificate and names every host and IP', async () => {
    const { cert } = await createSelfSignedCertificate(['op.test', 'rp-a.test', 'localhost', '127.0.0.1', '::1']);
    const x = new X509Certificate(cert);
    expect(x.subjectAltName).toContain('DNS:op.test');
    expect(x.subjectAltName).toContain('DNS:rp-a.test');
    expect(x.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(x.checkHost('rp-a.test')).toBe('rp-a.test');
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x.checkHost('evil.test')).toBeUndefined();
    expect(x.verify(x.publicKey)).toBe(true);
    expect(new Date(x.validTo).getTime()).toBeGreaterThan(Date.now() + 300 * 24 * 3600 * 1000);
  });

  it('is accepted by a TLS client that trusts it through `ca`, for each name', async () => {
    const { cert, key } = await createSelfSignedCertificate(['op.test', 'localhost', '127.0.0.1']);
    const server = createServer({ cert, key }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      await expect(get(port, 'op.test', cert)).resolves.toBe('ok');
      await expect(get(port, 'localhost', cert)).resolves.toBe('ok');
      await expect(get(port, 'other.test', cert)).rejects.toThrow(/altnames|Hostname/i);
      const other = await createSelfSignedCertificate(['op.test']);
      await expect(get(port, 'op.test', other.cert)).rejects.toThrow();
    } finally {
      server.close();
    }
  });
});
