import { type LogoutRequestParams, logoutRequestFields, parseEndSessionEndpoint } from './logout-request-fields.js';

/**
 * Builds the GET form of an RP-Initiated Logout request: `end_session_endpoint` with the parameters
 * added to its query (an existing query is kept, RPI §2.1; a parameter of the same name in it is
 * replaced). Pure: for apps that navigate themselves. Throws a `TypeError` naming the invalid field.
 *
 * Note that a GET request leaves `id_token_hint` in the browser history and the OP's access logs;
 * {@link buildLogoutForm} (POST) does not.
 *
 * @example
 * ```ts
 * location.assign(buildLogoutUrl({ end_session_endpoint, id_token_hint, client_id, post_logout_redirect_uri, state }));
 * ```
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function buildLogoutUrl(params: LogoutRequestParams): string {
  const fields = logoutRequestFields(params);
  const url = parseEndSessionEndpoint(params.end_session_endpoint);
  for (const [name, value] of Object.entries(fields)) url.searchParams.set(name, value);
  return url.href;
}
