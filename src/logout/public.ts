import type { UserManager } from 'oidc-client-ts';
import { fetchDiscovery } from '../discovery.js';
import { decodeJwtClaims } from '../jwt.js';
import { rememberLastSessionState } from '../monitor/last-session-state.js';
import { monitorOf } from '../monitor/registry.js';
import { isUserManager } from '../session/sources.js';
import type { SessionSource } from '../session/source.js';
import { userManagerSource } from '../session/user-manager.js';
import { openTabChannel, tabChannelName } from '../tabs/channel.js';
import { normalizeIssuer, requireSecureUrl } from '../url.js';
import { browserFrameEnvironment, browserLocationHref } from '../platform.js';
import { isPartitionedFrame } from './partitioned-frame.js';
import { rejectUnknownOptions } from '../reject-unknown-options.js';
import { handleFrontChannelLogout as frontChannelLogic, type FrontChannelLogoutResult } from './handle-front-channel-logout.js';
import { performLogout, type LogoutResult, type PerformLogoutOptions } from './perform-logout.js';

/** The logout request itself (everything but how to reach the session). */
export type LogoutRequestOptions = Omit<PerformLogoutOptions, 'client_id'>;

/** Log out a user signed in with an oidc-client-ts `UserManager`. */
export interface UserManagerLogoutOptions extends LogoutRequestOptions {
  userManager: UserManager;
  /** Not with a `userManager`: its `authority` is the issuer. `issuer` is for another OIDC client's session. */
  issuer?: never;
  /** Not with a `userManager`: discovery gives it. `end_session_endpoint` is for another OIDC client's session. */
  end_session_endpoint?: never;
  /** Not with a `userManager`: its settings have it. `client_id` is for another OIDC client's session. */
  client_id?: never;
  /** Not with a `userManager`: its stored user has it. `id_token` is for another OIDC client's session. */
  id_token?: never;
  /** Not with a `userManager`: it removes its own user. `onSignedOut` is for another OIDC client's session. */
  onSignedOut?: never;
}

/** Log out a session of another OIDC client: give the OP and the ID token yourself. */
export interface CustomLogoutOptions extends LogoutRequestOptions {
  /** Not with `client_id`: a `userManager` brings its own client, issuer and ID token. */
  userManager?: never;
  /** The OP's issuer; discovery supplies `end_session_endpoint`. Give this or `end_session_endpoint`. */
  issuer?: string;
  end_session_endpoint?: string;
  client_id: string;
  /** The current ID token, sent as `id_token_hint` unless `id_token_hint` says otherwise. */
  id_token?: string;
  /** Removes the local session (called before the browser leaves). */
  onSignedOut?: () => void | Promise<void>;
}

export type LogoutOptions = UserManagerLogoutOptions | CustomLogoutOptions;

type LogoutSource = Pick<SessionSource, 'issuer' | 'clientId' | 'postLogoutRedirectUri' | 'resolveEndSessionEndpoint' | 'getSession' | 'removeUser'>;

function customLogoutSource(custom: CustomLogoutOptions): LogoutSource {
  const allowHttp = custom.allowInsecureHttp === true;
  if (typeof custom.client_id !== 'string' || custom.client_id === '') throw new TypeError('client_id must be a non-empty string.');
  if ((custom.issuer === undefined) === (custom.end_session_endpoint === undefined)) {
    throw new TypeError('Give userManager, or exactly one of issuer (for discovery) or end_session_endpoint.');
  }
  if (custom.onSignedOut !== undefined && typeof custom.onSignedOut !== 'function') throw new TypeError('onSignedOut must be a function.');
  if (custom.id_token !== undefined && typeof custom.id_token !== 'string') throw new TypeError('id_token must be a string (a JWT).');
  const issuer = custom.issuer !== undefined ? normalizeIssuer(requireSecureUrl('issuer', custom.issuer, allowHttp).href) : undefined;
  const endpoint = custom.end_session_endpoint !== undefined ? requireSecureUrl('end_session_endpoint', custom.end_session_endpoint, allowHttp).href : undefined;
  const sub = decodeJwtClaims(custom.id_token)?.sub;
  let idToken = custom.id_token;
  return {
    issuer: issuer ?? new URL(endpoint!).origin,
    clientId: custom.client_id,
    resolveEndSessionEndpoint: async () => endpoint ?? (await fetchDiscovery(issuer!)).end_session_endpoint,
    getSession: async () => (idToken ? { id_token: idToken, sub: typeof sub === 'string' ? sub : '', session_state: '' } : null),
    removeUser: async () => {
      idToken = undefined;
      await custom.onSignedOut?.();
    },
  };
}

/**
 * RP-Initiated Logout: suspends this app's session monitor in this page, removes the local user, tells this
 * app's other tabs that hold the same user, and sends the browser to the OP's `end_session_endpoint` with
 * `id_token_hint` (the current user's, unless told otherwise), `client_id`, `post_logout_redirect_uri`, a fresh
 * random `state`, `ui_locales` and `logout_hint`. The app's `state` data stays in this tab and comes back from
 * {@link handleLogoutCallback}.
 *
 * Option errors reject the promise with a `TypeError` (nothing is thrown synchronously, so `.catch()` sees
 * them too). With no usable `end_session_endpoint` at the OP the promise
 * rejects (`no_end_session_endpoint`, `invalid_metadata`, `discovery_failed`) — after the local sign-out; the
 * monitor then reports `signedOut` with reason `logout` (or resumes, if the user could not be removed).
 * Monitors of other apps on the page are not touched.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
const LOGOUT_REQUEST_KEYS = ['post_logout_redirect_uri', 'state', 'ui_locales', 'logout_hint', 'id_token_hint', 'method', 'extraParams', 'stateMaxAgeMs', 'allowInsecureHttp'];

export async function logout(options: LogoutOptions): Promise<LogoutResult> {
  if (typeof options !== 'object' || options === null) throw new TypeError('logout needs an options object.');
  const byManager = 'userManager' in options && options.userManager !== undefined;
  rejectUnknownOptions('logout', options, [...LOGOUT_REQUEST_KEYS, ...(byManager ? ['userManager'] : ['issuer', 'end_session_endpoint', 'client_id', 'id_token', 'onSignedOut'])]);
  let source: LogoutSource;
  if (byManager) {
    if (!isUserManager(options.userManager)) throw new TypeError('userManager must be an oidc-client-ts UserManager.');
    source = userManagerSource(options.userManager);
  } else {
    source = customLogoutSource(options as CustomLogoutOptions);
  }
  const { userManager: _manager, issuer: _issuer, end_session_endpoint: _endpoint, id_token: _idToken, onSignedOut: _onSignedOut, client_id: _clientId, ...request } =
    options as LogoutRequestOptions & Partial<Record<'userManager' | 'issuer' | 'end_session_endpoint' | 'id_token' | 'onSignedOut' | 'client_id', unknown>>;
  const channel = openTabChannel(tabChannelName(source.issuer, source.clientId));
  const monitor = monitorOf(source.issuer, source.clientId);
  const result = performLogout(
    {
      ...request,
      client_id: source.clientId,
      ...(request.post_logout_redirect_uri === undefined && source.postLogoutRedirectUri ? { post_logout_redirect_uri: source.postLogoutRedirectUri } : {}),
    },
    {
      resolveEndSessionEndpoint: () => source.resolveEndSessionEndpoint(),
      getUser: async () => {
        const session = await source.getSession();
        // For the post-logout page: an anonymous monitor there polls once more with it.
        if (session?.session_state) rememberLastSessionState(source.issuer, source.clientId, session.session_state);
        return session ? { ...(session.id_token ? { id_token: session.id_token } : {}), ...(session.sub ? { sub: session.sub } : {}) } : null;
      },
      removeUser: () => source.removeUser(),
      // A re-check started now could race, and cancel, the logout navigation; a suspended monitor lets
      // another tab poll meanwhile.
      pauseMonitoring: () => monitor?.suspend(),
      channel,
    },
  );
  return result
    .catch(async (error: unknown) => {
      // The browser stays here: the monitor must not stay suspended.
      if (monitor) {
        const session = await source.getSession().catch(() => null);
        if (session) monitor.resume();
        else monitor.signOutFrom('logout');
      }
      throw error;
    })
    .finally(() => channel.close());
}

/** How {@link handleFrontChannelLogout} reaches the app's session. */
export type FrontChannelLogoutOptions = (
  | { userManager: UserManager; issuer?: never; client_id?: never; getUser?: never; removeUser?: never }
  | { userManager?: never; issuer: string; client_id: string; getUser(): Promise<{ id_token?: string } | null>; removeUser(): Promise<void> }
) & {
  /** Require `iss` and `sid` in the request. Default true: without them any site could sign the user out. */
  requireSession?: boolean;
  /** The page URL. Default: `location.href`. */
  url?: string;
};

/**
 * Call on the `frontchannel_logout_uri` page, which the OP loads in a hidden iframe when the user signs out at
 * the OP. Checks `iss` and `sid` against the current ID token and, when they match, removes the local user and
 * signs out every open tab of the app. A request that does not match the current session is ignored.
 *
 * Works when the app and the OP are on the **same site**. Across sites, browsers partition (or block) the
 * iframe's storage, so this page cannot see or clear the app's real session: the result then says
 * `partitioned: true`; use the check_session monitor (which reports `unavailable` when it cannot work either) or
 * back-channel logout to a server. Serve the page with `Cache-Control: no-store` and a CSP `frame-ancestors` that
 * allows the OP.
 *
 * @see https://openid.net/specs/openid-connect-frontchannel-1_0.html#RPLogout
 */
export async function handleFrontChannelLogout(options: FrontChannelLogoutOptions): Promise<FrontChannelLogoutResult> {
  if (typeof options !== 'object' || options === null) throw new TypeError('handleFrontChannelLogout needs an options object.');
  rejectUnknownOptions('handleFrontChannelLogout', options, ['requireSession', 'url', ...(options.userManager !== undefined ? ['userManager'] : ['issuer', 'client_id', 'getUser', 'removeUser'])]);
  let issuer: string;
  let clientId: string;
  let getUser: () => Promise<{ id_token?: string } | null>;
  let removeUser: () => Promise<void>;
  if (options.userManager !== undefined) {
    if (!isUserManager(options.userManager)) throw new TypeError('userManager must be an oidc-client-ts UserManager.');
    const source = userManagerSource(options.userManager);
    // No discovery request here: the OP only waits for this page's load event before it navigates on, so the
    // work must finish without network I/O. The issuer is the authority (OIDC Discovery §4.3 makes them equal),
    // spelled as in the ID token when the two differ only by a trailing slash.
    const session = await source.getSession();
    const tokenIssuer = decodeJwtClaims(session?.id_token)?.iss;
    const authority = options.userManager.settings.authority;
    issuer = typeof tokenIssuer === 'string' && normalizeIssuer(tokenIssuer) === normalizeIssuer(authority) ? tokenIssuer : authority;
    clientId = source.clientId;
    getUser = async () => (session ? { ...(session.id_token ? { id_token: session.id_token } : {}) } : null);
    removeUser = () => source.removeUser();
  } else {
    if (typeof options.issuer !== 'string' || typeof options.client_id !== 'string' || typeof options.getUser !== 'function' || typeof options.removeUser !== 'function') {
      throw new TypeError('Give userManager, or issuer, client_id, getUser and removeUser.');
    }
    ({ issuer, client_id: clientId, getUser, removeUser } = options);
  }
  const partitionedCheck = isPartitionedFrame(browserFrameEnvironment());
  const channel = openTabChannel(tabChannelName(normalizeIssuer(issuer), clientId));
  try {
    const url = options.url ?? browserLocationHref();
    const result = await frontChannelLogic({ issuer, getUser, removeUser, channel, url, ...(options.requireSession !== undefined ? { requireSession: options.requireSession } : {}) });
    // Partitioned or not, the work above is done: it is all this page can do, and it clears what it can see.
    const partitioned = await partitionedCheck;
    if (result.signedOut && result.alreadySignedOut) {
      // This page may not see the session at all (a per-tab user store): let every open tab compare the
      // request's iss and sid with its own ID token.
      const params = new URL(url).searchParams;
      const iss = params.get('iss');
      const sid = params.get('sid');
      if (iss && sid) {
        channel.post({ type: 'frontChannelLogout', iss, sid });
        return { ...result, forwardedToTabs: true, partitioned };
      }
    }
    return { ...result, partitioned };
  } finally {
    channel.close();
  }
}
