/** Loopback hosts, where plain `http:` is acceptable (RFC 8252 §8.3 treats them as local). */
function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(hostname) || hostname === '[::1]';
}

/**
 * Parses an option that must be an absolute `https:` URL (or `http:` on a loopback host, or anywhere when
 * `allowInsecureHttp` is set). Throws a `TypeError` naming the option otherwise.
 */
export function requireSecureUrl(name: string, value: unknown, allowInsecureHttp: boolean): URL {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty URL string.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${name} must be an absolute URL; got ${JSON.stringify(value)}.`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && (allowInsecureHttp || isLoopbackHost(url.hostname))) return url;
  if (url.protocol === 'http:') {
    throw new TypeError(`${name} uses http: on a non-loopback host (${url.host}); use https:, or set allowInsecureHttp: true for a test setup.`);
  }
  throw new TypeError(`${name} must be an https: URL; got the scheme ${url.protocol}`);
}

/** The issuer as used in keys and channel names: without trailing slashes, so `https://op/` and `https://op` agree. */
export function normalizeIssuer(issuer: string): string {
  return issuer.replace(/\/+$/, '');
}
