/** Loopback hosts, where plain `http:` is acceptable (RFC 8252 §8.3 treats them as local). */
function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(hostname) || hostname === '[::1]';
}

/**
 * What is wrong with `value` as a URL this SDK may load or send tokens to: it must be an absolute `https:` URL
 * (or `http:` on a loopback host, or anywhere when `allowInsecureHttp` is set). `undefined` when it is fine. The
 * same rule covers options and what discovery publishes (`javascript:`, `data:` or plain `http:` never pass).
 */
export function urlProblem(name: string, value: unknown, allowInsecureHttp: boolean): string | undefined {
  if (typeof value !== 'string' || value === '') return `${name} must be a non-empty URL string.`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${name} must be an absolute URL; got ${JSON.stringify(value)}.`;
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && (allowInsecureHttp || isLoopbackHost(url.hostname))) return undefined;
  if (url.protocol === 'http:') {
    return `${name} uses http: on a non-loopback host (${url.host}); use https:, or set allowInsecureHttp: true for a test setup.`;
  }
  return `${name} must be an https: URL; got the scheme ${url.protocol}`;
}

/** Parses an option that must pass {@link urlProblem}; throws a `TypeError` naming the option otherwise. */
export function requireSecureUrl(name: string, value: unknown, allowInsecureHttp: boolean): URL {
  const problem = urlProblem(name, value, allowInsecureHttp);
  if (problem) throw new TypeError(problem);
  return new URL(value as string);
}

/** The issuer as used in keys and channel names: without trailing slashes, so `https://op/` and `https://op` agree. */
export function normalizeIssuer(issuer: string): string {
  return issuer.replace(/\/+$/, '');
}

/**
 * Parses `value` and returns its scheme and host when it has a tuple origin, `undefined` when it does not
 * parse or its origin is opaque (`data:`, `file:`, `about:blank`...), which is same-site with nothing we
 * can name by a string.
 */
function schemeAndHost(value: string): { scheme: string; host: string } | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.origin === 'null' || url.hostname === '') return undefined;
  return { scheme: url.protocol, host: url.hostname };
}

/**
 * Whether two URLs or origins are *provably* the same site: the same scheme and the identical host after URL
 * parsing (so case is folded, IDN is punycode, IPv4 and IPv6 literals are in canonical form). Ports never
 * matter. Returns `false` for unparsable input and for opaque origins.
 *
 * This errs in the safe direction. Two hosts are the same site when they share a registrable domain, and
 * telling that apart needs the Public Suffix List: `a.github.io` and `b.github.io`, `x.foo.co.uk` and
 * `y.bar.co.uk`, two `*.azurewebsites.net` apps are different sites, while `app.example.com` and
 * `login.example.com` are one. The list has about 9,500 rules and costs about 30 KB minified and gzipped
 * for its ICANN part alone (tldts-icann 7.4.16) and 45–47 KB for all of it (psl 1.15.0: 44.9 KB,
 * tldts 7.5.4: 47.2 KB), several times this SDK's whole 5 KB budget. So only identical hosts count, and
 * every other pair, different subdomains of one domain included, is "not provably same-site": `false`.
 * Wrongly saying "same site" would leave the cross-site defences off and sign users out when the browser
 * blocks the OP's cookies in its iframe; wrongly saying "cross-site" only turns those defences on. An app
 * deployed on a sibling subdomain of its OP states same-site explicitly through its options instead.
 *
 * Hosts are compared as the browser does: `localhost` and `127.0.0.1` are different sites, and so are
 * `example.com.` and `example.com` (a trailing dot makes a different host, with an origin of its own).
 * Schemes must match, as in schemeful same-site: `http://example.com` and `https://example.com` are
 * different sites.
 *
 * @see https://html.spec.whatwg.org/multipage/browsers.html#same-site
 * @see https://url.spec.whatwg.org/#host-registrable-domain
 */
export function isSameSite(a: string, b: string): boolean {
  const first = schemeAndHost(a);
  const second = schemeAndHost(b);
  if (first === undefined || second === undefined) return false;
  return first.scheme === second.scheme && first.host === second.host;
}
