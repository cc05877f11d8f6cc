import { ErrorCode, OidcSessionMonitorError } from './errors.js';

/** The part of an OP's discovery document this SDK reads. */
export interface DiscoveryDocument {
  issuer: string;
  check_session_iframe?: string;
  end_session_endpoint?: string;
}

/**
 * Fetches `{issuer}/.well-known/openid-configuration` and checks that it names the same issuer.
 * Network failures and bad documents become `discovery_failed` errors, never a sign-out.
 *
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 */
export async function fetchDiscovery(issuer: string, fetchFn: typeof fetch = fetch): Promise<DiscoveryDocument> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let body: unknown;
  try {
    const response = await fetchFn(url, { credentials: 'omit', headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (error) {
    throw new OidcSessionMonitorError(ErrorCode.DiscoveryFailed, `Could not load ${url}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (typeof body !== 'object' || body === null || typeof (body as { issuer?: unknown }).issuer !== 'string') {
    throw new OidcSessionMonitorError(ErrorCode.DiscoveryFailed, `${url} is not a discovery document (no issuer).`);
  }
  const doc = body as Record<string, unknown>;
  // Discovery §4.3: the issuer in the document must be the one it was fetched for.
  if ((doc.issuer as string).replace(/\/+$/, '') !== issuer.replace(/\/+$/, '')) {
    throw new OidcSessionMonitorError(ErrorCode.DiscoveryFailed, `${url} names the issuer ${String(doc.issuer)}, not ${issuer}.`);
  }
  return {
    issuer: doc.issuer as string,
    ...(typeof doc.check_session_iframe === 'string' ? { check_session_iframe: doc.check_session_iframe } : {}),
    ...(typeof doc.end_session_endpoint === 'string' ? { end_session_endpoint: doc.end_session_endpoint } : {}),
  };
}
