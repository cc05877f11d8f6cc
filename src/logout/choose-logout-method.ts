/**
 * How the logout request travels: `GET` (a redirect), `POST` (an auto-submitted form), or
 * `auto` (GET unless the URL would be longer than {@link MAX_GET_URL_LENGTH}).
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export type LogoutMethod = 'GET' | 'POST' | 'auto';

/**
 * The longest logout URL sent as GET under `auto`: 2,000 characters. Why this number: IIS (and so
 * AD FS and many on-premises OPs) rejects query strings over 2,048 bytes by default (`maxQueryString`),
 * old browsers and some proxies cut URLs at 2,083, and Entra ID / Okta answer 414 or AADSTS90015 to
 * long `id_token_hint`s. An ID token with a few group claims passes it easily; POST has no such limit.
 * The URL is fully percent-encoded ASCII, so characters equal bytes.
 */
export const MAX_GET_URL_LENGTH = 2000;

/**
 * Picks the transport for a built logout URL. An explicit `GET` or `POST` is obeyed as is, even for a
 * long URL, so an app that knows its OP keeps control.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function chooseLogoutMethod(url: string, method: LogoutMethod = 'auto', maxGetUrlLength = MAX_GET_URL_LENGTH): 'GET' | 'POST' {
  if (method === 'GET' || method === 'POST') return method;
  return url.length > maxGetUrlLength ? 'POST' : 'GET';
}

/** Validates the `method` option; a `TypeError` names it. */
export function validateLogoutMethod(value: unknown): LogoutMethod {
  if (value === undefined) return 'auto';
  if (value !== 'GET' && value !== 'POST' && value !== 'auto') {
    throw new TypeError(`method must be 'GET', 'POST' or 'auto'; got ${JSON.stringify(value)}.`);
  }
  return value;
}
