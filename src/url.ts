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

/**
 * Whether two origins are the same *site* (scheme and registrable domain), which decides whether the OP
 * iframe is a third party for cookies. Without the Public Suffix List this compares the last two labels of
 * the host (exact host for IP addresses and single-label hosts such as `localhost`); ports never matter.
 * It can call `a.example.co.uk` and `b.other.co.uk` the same site; the only cost is that the third-party
 * cookie heuristics stay off there.
 */
export function isSameSite(a: string, b: string): boolean {
  let first: URL;
  let second: URL;
  try {
    first = new URL(a);
    second = new URL(b);
  } catch {
    return false;
  }
  if (first.protocol !== second.protocol) return false;
  const site = (host: string): string => {
    if (/^[\d.]+$/.test(host) || host.startsWith('[')) return host;
    const labels = host.replace(/\.$/, '').split('.');
    return labels.slice(-2).join('.');
  };
  return site(first.hostname) === site(second.hostname);
}
