import type { IncomingMessage } from 'node:http';

/**
 * Cookie names and attributes of one mock OP instance. Names carry the port because cookies ignore
 * ports: several OPs and apps on `localhost` would otherwise overwrite each other's cookies.
 */
export interface CookieJar {
  /** `mockop<port>`: the start of every cookie name of this OP (profiles add the real OP's names after `_`). */
  readonly prefix: string;
  /** HttpOnly handle to the server-side browser record (and so to the OP session). */
  readonly browserName: string;
  /** JS-readable browser state read by the check_session iframe. Random values only. */
  readonly stateName: string;
  serialize(name: string, value: string, options?: { httpOnly?: boolean; expire?: boolean }): string;
}

/**
 * Over https the cookies are `SameSite=None; Secure` so cross-site iframes can send them; over http
 * `SameSite=Lax`, because browsers drop `SameSite=None` cookies without `Secure` (same-site setups only).
 *
 * @see https://openid.net/specs/openid-connect-session-1_0.html#ThirdPartyContent (SM §5.1)
 */
export function createCookieJar(port: number, secure: boolean): CookieJar {
  const prefix = `mockop${port}`;
  return {
    prefix,
    browserName: `${prefix}_browser`,
    stateName: `${prefix}_bs`,
    serialize(name, value, options = {}) {
      let cookie = `${name}=${value}; Path=/`;
      if (options.httpOnly) cookie += '; HttpOnly';
      cookie += secure ? '; SameSite=None; Secure' : '; SameSite=Lax';
      if (options.expire) cookie += '; Max-Age=0';
      return cookie;
    },
  };
}

/** The request's cookies; the first value wins when a name repeats. */
export function parseCookies(req: IncomingMessage): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}
