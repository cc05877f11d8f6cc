import { createHash, generateKeyPair, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import {
  bitString,
  boolean,
  explicit,
  implicitPrimitive,
  integer,
  nullValue,
  octetString,
  oid,
  sequence,
  set,
  time,
  utf8String,
} from './der.js';

const generateRsa = promisify(generateKeyPair);

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  // IPv6: expand "::" and write eight 16-bit groups.
  const [head, tail = ''] = ip.replace(/^\[|\]$/g, '').split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function extension(id: string, critical: boolean, value: Uint8Array): Buffer {
  return critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));
}

/**
 * Generates an RSA key and a self-signed X.509 v3 certificate (SHA-256 with RSA) for `names`:
 * host names become dNSName and IP addresses iPAddress subject alternative names. It is its own CA
 * (`cA: true`), so a client can trust exactly this certificate through Node's `ca` option.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-4.1 (certificate structure)
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.6 (subject alternative name)
 */
export async function createSelfSignedCertificate(
  names: string[],
  options: { days?: number; commonName?: string } = {},
): Promise<{ cert: string; key: string }> {
  const { publicKey, privateKey } = await generateRsa('rsa', { modulusLength: 2048 });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const unique = [...new Set(names.map((n) => n.replace(/^\[|\]$/g, '').toLowerCase()))];
  const altNames = unique.map((n) => (isIP(n) ? implicitPrimitive(7, ipBytes(n)) : implicitPrimitive(2, Buffer.from(n, 'ascii'))));
  const name = sequence(set(sequence(oid('2.5.4.3'), utf8String(options.commonName ?? 'oidc-session-monitor mock OP'))));
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and non-zero (RFC 5280 §4.1.2.2)
  const notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  const notAfter = new Date(Date.now() + (options.days ?? 365) * 24 * 3600 * 1000);
  // subjectPublicKey BIT STRING content of the SPKI, hashed for the key identifier (RFC 5280 §4.2.1.2 method 1).
  const keyId = createHash('sha1').update(publicKey.export({ type: 'pkcs1', format: 'der' })).digest();
  const algorithm = sequence(oid(SHA256_WITH_RSA), nullValue());
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    algorithm,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    spki,
    explicit(
      3,
      sequence(
        extension('2.5.29.19', true, sequence(boolean(true))), // basicConstraints cA
        // keyUsage: digitalSignature, keyEncipherment, keyCertSign (bits 0, 2, 5; 2 unused bits)
        extension('2.5.29.15', true, Buffer.from([0x03, 0x02, 0x02, 0xa4])),
        extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage serverAuth
        extension('2.5.29.14', false, octetString(keyId)), // subjectKeyIdentifier
        extension('2.5.29.17', false, sequence(...altNames)),
      ),
    ),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, algorithm, bitString(signature));
  const base64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n');
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${base64}-----END CERTIFICATE-----\n`,
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}
