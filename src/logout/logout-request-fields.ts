/**
 * The parameters of an RP-Initiated Logout request and their validation, shared by the GET
 * ({@link buildLogoutUrl}) and POST ({@link buildLogoutForm}) serializations so both send the same thing.
 *
 * @module
 */

/**
 * What goes into a logout request to the OP's `end_session_endpoint`.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export interface LogoutRequestParams {
  /** The OP's Logout Endpoint, usually `end_session_endpoint` from discovery. Absolute `http(s)` URL; its query is kept, a fragment is dropped. */
  end_session_endpoint: string;
  /** An ID token the OP issued to this RP (RECOMMENDED): tells the OP whose session to end and lets it redirect back. */
  id_token_hint?: string;
  /** This RP's client id. Lets the OP identify the client when the hint is absent (RPI §2). */
  client_id?: string;
  /** Where the OP sends the browser afterwards; must be registered exactly as sent, and cannot carry a fragment. */
  post_logout_redirect_uri?: string;
  /** Opaque value the OP echoes to `post_logout_redirect_uri`. */
  state?: string;
  /** Preferred languages for the OP's logout pages, BCP 47 tags; an array is joined with spaces. */
  ui_locales?: string | readonly string[];
  /** OP-specific hint about the End-User (e.g. login name), like `login_hint`. */
  logout_hint?: string;
  /** Further parameters an OP understands. They cannot replace any named parameter above. */
  extraParams?: Readonly<Record<string, string>>;
}

/** The parameter names RP-Initiated Logout defines; `extraParams` may not use them. */
export const LOGOUT_PARAMETER_NAMES = [
  'id_token_hint',
  'logout_hint',
  'client_id',
  'post_logout_redirect_uri',
  'state',
  'ui_locales',
] as const;

function optionalString(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${name} must be a non-empty string when given; omit it to leave it out of the request.`);
  }
  return value;
}

function parseHttpUrl(name: string, value: unknown): URL {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${name} must be an absolute http(s) URL string.`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${name} must be an absolute http(s) URL; got ${JSON.stringify(value.slice(0, 200))}.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`${name} must use https (or http for local testing); got the scheme ${url.protocol}`);
  }
  return url;
}

/**
 * Validates `end_session_endpoint` and returns it as a URL without fragment. A fragment never reaches
 * the server and RPI §2.1 allows only port, path and query, so it is dropped rather than refused:
 * refusing would strand the user signed in at the OP over a cosmetic defect in discovery.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#OPMetadata
 */
export function parseEndSessionEndpoint(value: unknown): URL {
  const url = parseHttpUrl('end_session_endpoint', value);
  url.hash = '';
  return url;
}

/**
 * Validates a `post_logout_redirect_uri`: absolute `http(s)`, no fragment (the OP compares it exactly to
 * a registered value, and a fragment would swallow the `state` the OP appends).
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RedirectionAfterLogout
 */
export function validatePostLogoutRedirectUri(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const url = parseHttpUrl('post_logout_redirect_uri', value);
  if (url.hash !== '' || (value as string).includes('#')) {
    throw new TypeError('post_logout_redirect_uri must not contain a fragment (#...); register and send it without one.');
  }
  // Sent exactly as given, not re-serialized, because the OP matches it character for character.
  return value as string;
}

function uiLocales(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const tags = typeof value === 'string' ? value.trim().split(/\s+/) : value;
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string' || tag === '' || /\s/.test(tag))) {
    throw new TypeError('ui_locales must be a space-separated string or an array of BCP 47 tags without spaces, e.g. ["de-CH", "en"].');
  }
  return tags.length === 0 ? undefined : tags.join(' ');
}

function extraParams(value: unknown): [string, string][] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('extraParams must be an object of string values.');
  }
  return Object.entries(value).map(([key, param]) => {
    if (key === '') throw new TypeError('extraParams must not contain an empty parameter name.');
    // An array, not a module-level Set: a bundler cannot prove `new Set(…)` free of side effects, so it would keep it
    // (and this module) in apps that never log out.
    if ((LOGOUT_PARAMETER_NAMES as readonly string[]).includes(key)) {
      throw new TypeError(`extraParams.${key} is not allowed: ${key} is a logout parameter of its own; use the ${key} option.`);
    }
    if (typeof param !== 'string') throw new TypeError(`extraParams.${key} must be a string.`);
    return [key, param];
  });
}

/**
 * Validates every parameter except the endpoint and returns the request fields in a stable order
 * (named parameters first, then `extraParams`). Throws a `TypeError` naming the offending field.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function logoutRequestFields(params: Omit<LogoutRequestParams, 'end_session_endpoint'>): Record<string, string> {
  if (typeof params !== 'object' || params === null) throw new TypeError('logout parameters must be an object.');
  const named: [string, string | undefined][] = [
    ['id_token_hint', optionalString('id_token_hint', params.id_token_hint)],
    ['logout_hint', optionalString('logout_hint', params.logout_hint)],
    ['client_id', optionalString('client_id', params.client_id)],
    ['post_logout_redirect_uri', validatePostLogoutRedirectUri(params.post_logout_redirect_uri)],
    ['state', optionalString('state', params.state)],
    ['ui_locales', uiLocales(params.ui_locales)],
  ];
  const present = named.filter((entry): entry is [string, string] => entry[1] !== undefined);
  // fromEntries defines own properties, so even a parameter named "__proto__" stays a plain field.
  return Object.fromEntries([...present, ...extraParams(params.extraParams)]);
}
