import { type LogoutRequestParams, logoutRequestFields, parseEndSessionEndpoint } from './logout-request-fields.js';

/** A logout request serialized for an HTML form POST. */
export interface LogoutForm {
  /** The form's `action`: the endpoint with its own query kept (a form POST leaves the action's query alone). */
  action: string;
  /** The form fields, sent as `application/x-www-form-urlencoded`. */
  fields: Record<string, string>;
}

/**
 * Builds the POST form of an RP-Initiated Logout request. OPs MUST accept POST (RPI §2); it has no
 * practical length limit and keeps `id_token_hint` out of URLs, history and logs. Throws a `TypeError`
 * naming the invalid field.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function buildLogoutForm(params: LogoutRequestParams): LogoutForm {
  const fields = logoutRequestFields(params);
  return { action: parseEndSessionEndpoint(params.end_session_endpoint).href, fields };
}
