import type { UserManager } from 'oidc-client-ts';
import { fetchDiscovery } from '../discovery.js';
import { decodeJwtClaims } from '../jwt.js';
import { rememberLastSessionState } from '../monitor/last-session-state.js';
import { liveMonitors } from '../monitor/registry.js';
import { openTabChannel, tabChannelName } from '../tabs/channel.js';
import { normalizeIssuer, requireSecureUrl } from '../url.js';
import { browserLocationHref } from './browser-ports.js';
import { handleFrontChannelLogout as frontChannelLogic, type FrontChannelLogoutResult } from './handle-front-channel-logout.js';
import { performLogout, type PerformLogoutOptions, type PerformLogoutPorts, type PerformLogoutResult } from './perform-logout.js';

/** The logout request itself (everything but how to reach the session). */
export type LogoutRequestOptions = Omit<PerformLogoutOptions, 'client_id'>;

/** Log out a user signed in with an oidc-client-ts `UserManager`. */
export interface UserManagerLogoutOptions extends LogoutRequestOptions {
  userManager: UserManager;
}

/** Log out a session of another OIDC client: give the OP and the ID token yourself. */
export interface CustomLogoutOptions extends LogoutRequestOptions {
  /** The OP's issuer; discovery supplies `end_session_endpoint`. Give this or `end_session_endpoint`. */
  issuer?: string;
  end_session_endpoint?: string;
  client_id: string;
  /** The current ID token, sent as `id_token_hint` unless `id_token_hint` says otherwise. */
  id_token?: string;
  /** Removes the local session (called before the browser leaves). */
  onSignedOut?: () => void | Promise<void>;
  /** Accept `http:` URLs on non-loopback hosts (test setups only). */
  allowInsecureHttp?: boolean;
}

export type LogoutOptions = UserManagerLogoutOptions | CustomLogoutOptions;

interface LogoutSource {
  issuer: string;
  clientId: string;
  ports: Pick<PerformLogoutPorts, 'resolveEndSessionEndpoint' | 'getUser' | 'removeUser'>;
  defaultRedirect?: string;
}

function logoutSource(options: LogoutOptions): LogoutSource {
  if ('userManager' in options && options.userManager !== undefined) {
    const manager = options.userManager;
    if (typeof manager?.getUser !== 'function' || typeof manager.removeUser !== 'function') {
      throw new TypeError('userManager must be an oidc-client-ts UserManager.');
    }
    return {
      issuer: normalizeIssuer(manager.settings.authority),
      clientId: manager.settings.client_id,
      ...(manager.settings.post_logout_redirect_uri ? { defaultRedirect: manager.settings.post_logout_redirect_uri } : {}),
      ports: {
        resolveEndSessionEndpoint: () => manager.metadataService.getEndSessionEndpoint(),
        getUser: async () => {
          const user = await manager.getUser();
          if (user?.session_state) rememberLastSessionState(normalizeIssuer(manager.settings.authority), manager.settings.client_id, user.session_state);
          return user ? { ...(user.id_token ? { id_token: user.id_token } : {}), sub: user.profile.sub } : null;
        },
        removeUser: () => manager.removeUser(),
      },
    };
  }
  const custom = options as CustomLogoutOptions;
  const allowHttp = custom.allowInsecureHttp === true;
  if (typeof custom.client_id !== 'string' || custom.client_id === '') throw new TypeError('client_id must be a non-empty string.');
  if ((custom.issuer === undefined) === (custom.end_session_endpoint === undefined)) {
    throw new TypeError('Give userManager, or exactly one of issuer (discovery supplies end_session_endpoint) or end_session_endpoint.');
  }
  if (custom.onSignedOut !== undefined && typeof custom.onSignedOut !== 'function') throw new TypeError('onSignedOut must be a function.');
  if (custom.id_token !== undefined && typeof custom.id_token !== 'string') throw new TypeError('id_token must be a string (a JWT).');
  const issuer = custom.issuer !== undefined ? normalizeIssuer(requireSecureUrl('issuer', custom.issuer, allowHttp).href) : undefined;
  const endpoint = custom.end_session_endpoint !== undefined ? requireSecureUrl('end_session_endpoint', custom.end_session_endpoint, allowHttp).href : undefined;
  const sub = decodeJwtClaims(custom.id_token)?.sub;
  return {
    issuer: issuer ?? new URL(endpoint!).origin,
    clientId: custom.client_id,
    ports: {
      resolveEndSessionEndpoint: async () => endpoint ?? (await fetchDiscovery(issuer!)).end_session_endpoint,
      getUser: async () => (custom.id_token ? { id_token: custom.id_token, ...(typeof sub === 'string' ? { sub } : {}) } : null),
      removeUser: async () => {
        await custom.onSignedOut?.();
      },
    },
  };
}

/**
 * RP-Initiated Logout: stops session monitoring in this page, removes the local user, tells this app's other
 * tabs, and sends the browser to the OP's `end_session_endpoint` with `id_token_hint` (the current user's,
 * unless told otherwise), `client_id`, `post_logout_redirect_uri`, a fresh random `state`, `ui_locales` and
 * `logout_hint`. The app's `state` data stays in this tab and comes back from {@link handleLogoutCallback}.
 *
 * Option errors throw a `TypeError` synchronously. With no `end_session_endpoint` at the OP the promise
 * rejects with `no_end_session_endpoint` — after the local sign-out.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function logout(options: LogoutOptions): Promise<PerformLogoutResult> {
  if (typeof options !== 'object' || options === null) throw new TypeError('logout needs an options object.');
  const source = logoutSource(options);
  const { userManager: _manager, issuer: _issuer, end_session_endpoint: _endpoint, id_token, onSignedOut: _onSignedOut, allowInsecureHttp: _allow, client_id: _clientId, ...request } =
    options as Partial<UserManagerLogoutOptions & CustomLogoutOptions>;
  const channel = openTabChannel(tabChannelName(source.issuer, source.clientId));
  const result = performLogout(
    {
      ...request,
      client_id: source.clientId,
      ...(request.post_logout_redirect_uri === undefined && source.defaultRedirect ? { post_logout_redirect_uri: source.defaultRedirect } : {}),
      ...(request.id_token_hint === undefined && id_token ? { id_token_hint: id_token } : {}),
    },
    {
      ...source.ports,
      // A re-check started now could race, and cancel, the logout navigation.
      pauseMonitoring: () => {
        for (const monitor of liveMonitors()) monitor.pause();
      },
      channel,
    },
  );
  return result.finally(() => channel.close());
}

/** How {@link handleFrontChannelLogout} reaches the app's session. */
export type FrontChannelLogoutOptions = (
  | { userManager: UserManager }
  | { issuer: string; client_id: string; getUser(): Promise<{ id_token?: string } | null>; removeUser(): Promise<void> }
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
 * iframe's storage, so this page cannot see or clear the app's real session: use the check_session monitor
 * (which reports `unavailable` when it cannot work either) or back-channel logout to a server. Serve the page
 * with `Cache-Control: no-store` and a CSP `frame-ancestors` that allows the OP.
 *
 * @see https://openid.net/specs/openid-connect-frontchannel-1_0.html#RPLogout
 */
export async function handleFrontChannelLogout(options: FrontChannelLogoutOptions): Promise<FrontChannelLogoutResult> {
  if (typeof options !== 'object' || options === null) throw new TypeError('handleFrontChannelLogout needs an options object.');
  let issuer: string;
  let clientId: string;
  let getUser: () => Promise<{ id_token?: string } | null>;
  let removeUser: () => Promise<void>;
  if ('userManager' in options) {
    const manager = options.userManager;
    if (typeof manager?.getUser !== 'function') throw new TypeError('userManager must be an oidc-client-ts UserManager.');
    // No discovery request here: the OP only waits for this page's load event before it navigates on, so the
    // work must finish without network I/O. The issuer is the authority (OIDC Discovery §4.3 makes them equal),
    // spelled as in the ID token when the two differ only by a trailing slash.
    const user = await manager.getUser();
    const tokenIssuer = decodeJwtClaims(user?.id_token)?.iss;
    const authority = manager.settings.authority;
    issuer = typeof tokenIssuer === 'string' && normalizeIssuer(tokenIssuer) === normalizeIssuer(authority) ? tokenIssuer : authority;
    clientId = manager.settings.client_id;
    getUser = async () => (user ? { ...(user.id_token ? { id_token: user.id_token } : {}) } : null);
    removeUser = () => manager.removeUser();
  } else {
    if (typeof options.issuer !== 'string' || typeof options.client_id !== 'string' || typeof options.getUser !== 'function' || typeof options.removeUser !== 'function') {
      throw new TypeError('Give userManager, or issuer, client_id, getUser and removeUser.');
    }
    ({ issuer, client_id: clientId, getUser, removeUser } = options);
  }
  const channel = openTabChannel(tabChannelName(normalizeIssuer(issuer), clientId));
  try {
    const url = options.url ?? browserLocationHref();
    const result = await frontChannelLogic({ issuer, getUser, removeUser, channel, url, ...(options.requireSession !== undefined ? { requireSession: options.requireSession } : {}) });
    if (result.signedOut && result.alreadySignedOut) {
      // This page may not see the session at all (a per-tab user store): let every open tab compare the
      // request's iss and sid with its own ID token.
      const params = new URL(url).searchParams;
      const iss = params.get('iss');
      const sid = params.get('sid');
      if (iss && sid) channel.post({ type: 'frontChannelLogout', iss, sid });
    }
    return result;
  } finally {
    channel.close();
  }
}
