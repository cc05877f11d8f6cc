import { ErrorCode, OidcSessionMonitorError } from '../errors.js';
import type { TabChannel } from '../tabs/channel.js';
import { browserRandom, browserSessionStorage, systemClock, type Clock, type KeyValueStorage, type RandomSource } from '../platform.js';
import { buildLogoutForm } from './build-logout-form.js';
import { buildLogoutUrl } from './build-logout-url.js';
import { type LogoutMethod, chooseLogoutMethod, validateLogoutMethod } from './choose-logout-method.js';
import { type LogoutNavigation, createDomLogoutNavigation } from './logout-navigation.js';
import { type LogoutRequestParams, logoutRequestFields } from './logout-request-fields.js';
import { DEFAULT_LOGOUT_STATE_MAX_AGE_MS, saveLogoutState, validateLogoutStateData } from './logout-state-store.js';
import { randomState } from './random-state.js';
import { LAST_LOGOUT_CALLBACK_KEY } from '../session/keys.js';
import { urlProblem } from '../url.js';

/**
 * What the app asks of `logout()`.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export interface PerformLogoutOptions {
  /** This RP's client id; always sent (RPI §2 allows it, and it identifies the client when the hint is absent). */
  client_id: string;
  /** Where the OP should send the browser afterwards; must be registered at the OP exactly as written. */
  post_logout_redirect_uri?: string;
  /**
   * App data (JSON-serializable) returned by `handleLogoutCallback()`, e.g. the route to land on. It
   * stays in this tab's storage; only a random `state` goes to the OP.
   */
  state?: unknown;
  ui_locales?: string | readonly string[];
  logout_hint?: string;
  /** The ID token to send as `id_token_hint`. Default: the current user's; `false` sends none. */
  id_token_hint?: string | false;
  /** `auto` (default): GET, or POST when the URL would exceed `MAX_GET_URL_LENGTH`. */
  method?: LogoutMethod;
  extraParams?: Readonly<Record<string, string>>;
  /** Lifetime of the stored `state`. Default: 10 minutes. */
  stateMaxAgeMs?: number;
  /** Accept an `http:` `end_session_endpoint` on a non-loopback host (test setups only). Default false. */
  allowInsecureHttp?: boolean;
}

/** The app and browser behind `performLogout`. Browser ports default to the real ones. */
export interface PerformLogoutPorts {
  /** `end_session_endpoint` from discovery (or configuration); `undefined` when the OP has none. */
  resolveEndSessionEndpoint(): Promise<string | undefined>;
  getUser(): Promise<{ id_token?: string; sub?: string } | null>;
  removeUser(): Promise<void>;
  /** Stops the session monitor for good in this page. */
  pauseMonitoring?(): void;
  channel?: TabChannel;
  navigation?: LogoutNavigation;
  storage?: KeyValueStorage;
  random?: RandomSource;
  clock?: Pick<Clock, 'now'>;
}

/** How the browser was sent to the OP. */
export interface LogoutResult {
  method: 'GET' | 'POST';
  /** The random `state` sent to the OP. */
  state: string;
}

interface ValidatedOptions {
  request: Omit<LogoutRequestParams, 'end_session_endpoint' | 'id_token_hint' | 'state'>;
  hint: string | false | undefined;
  data: unknown;
  method: LogoutMethod;
  maxAgeMs: number;
  allowInsecureHttp: boolean;
}

function validate(options: PerformLogoutOptions): ValidatedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('logout options must be an object.');
  if (typeof options.client_id !== 'string' || options.client_id === '') {
    throw new TypeError('client_id must be a non-empty string.');
  }
  const hint = options.id_token_hint;
  if (hint !== undefined && hint !== false && (typeof hint !== 'string' || hint === '')) {
    throw new TypeError('id_token_hint must be an ID token string, false (send none), or left out (send the current user\'s).');
  }
  const maxAgeMs = options.stateMaxAgeMs ?? DEFAULT_LOGOUT_STATE_MAX_AGE_MS;
  if (typeof maxAgeMs !== 'number' || !(maxAgeMs > 0) || !Number.isFinite(maxAgeMs)) {
    throw new TypeError('stateMaxAgeMs must be a positive number of milliseconds.');
  }
  validateLogoutStateData(options.state);
  const request = {
    client_id: options.client_id,
    post_logout_redirect_uri: options.post_logout_redirect_uri,
    ui_locales: options.ui_locales,
    logout_hint: options.logout_hint,
    extraParams: options.extraParams,
  };
  // Validate every request field now, with stand-ins for the values only known later, so that a bad
  // option throws before anything has been signed out rather than half way through.
  logoutRequestFields({ ...request, id_token_hint: 'x', state: 'x' });
  if (options.allowInsecureHttp !== undefined && typeof options.allowInsecureHttp !== 'boolean') throw new TypeError('allowInsecureHttp must be a boolean.');
  return { request, hint, data: options.state, method: validateLogoutMethod(options.method), maxAgeMs, allowInsecureHttp: options.allowInsecureHttp === true };
}

function attempt(step: () => void): void {
  try {
    step();
  } catch {
    // Best-effort side steps must not stop the sign-out itself.
  }
}

/**
 * RP-Initiated Logout, end to end: the logic behind the public `logout()`. The order is deliberate:
 *
 * 1. **Pause monitoring** — a re-check started now would navigate a hidden iframe or fire events that
 *    race, and can cancel, the logout navigation (angular-auth-oidc-client #1371).
 * 2. **Read the user** — for `id_token_hint` (and `sub` for the other tabs), before it is removed.
 * 3. **Remove the local user** — before leaving the page (RPI §2 allows either; before is the safe
 *    default): the OP may refuse, the user may never return, and the app must not stay signed in.
 * 4. **Tell the other tabs** (`signedOut`, reason `logout`), so they drop their user without asking the OP.
 * 5. **Resolve `end_session_endpoint`.** None: rejects with `no_end_session_endpoint` — after steps 1–4,
 *    so the local sign-out has happened anyway. A discovery failure rejects with `discovery_failed`.
 * 6. **Create and store a fresh random `state`** with the app data, only now that a request will be made.
 *    If storage fails the logout still proceeds; the callback will then report the state as unverifiable.
 * 7. **Navigate**: GET, or an auto-submitted POST form when the URL (usually a large `id_token_hint`)
 *    would be too long — the hint is kept, as it is what lets the OP end the right session and redirect back.
 *
 * A failure of a step that only helps (reading the user, removing it, notifying tabs) does not stop the
 * OP logout: ending the OP session matters more than the hint. Option errors are `TypeError`s thrown
 * synchronously, before any step runs. The promise resolves once navigation has started.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function performLogout(options: PerformLogoutOptions, ports: PerformLogoutPorts): Promise<LogoutResult> {
  const validated = validate(options);
  if (typeof ports?.resolveEndSessionEndpoint !== 'function' || typeof ports.getUser !== 'function' || typeof ports.removeUser !== 'function') {
    throw new TypeError('performLogout needs resolveEndSessionEndpoint, getUser and removeUser ports.');
  }
  return run(validated, ports);
}

async function run(options: ValidatedOptions, ports: PerformLogoutPorts): Promise<LogoutResult> {
  attempt(() => ports.pauseMonitoring?.());

  const user = await ports.getUser().catch(() => null);
  const removed = await ports.removeUser().then(
    () => true,
    () => false,
  );
  // Only the tabs of this user (another tab may hold another user, whose session its own monitor checks), and only
  // once it is really gone here: a tab must not drop a user this tab still has.
  const sub = user?.sub;
  if (sub && removed) attempt(() => ports.channel?.post({ type: 'signedOut', reason: 'logout', sub }));

  let endpoint: string | undefined;
  try {
    endpoint = await ports.resolveEndSessionEndpoint();
  } catch (cause) {
    throw new OidcSessionMonitorError(
      ErrorCode.DiscoveryFailed,
      'Signed out locally, but discovery failed, so the OP session was not ended; retry logout() when the OP is back.',
      { cause },
    );
  }
  if (endpoint === undefined || endpoint === '') {
    throw new OidcSessionMonitorError(
      ErrorCode.NoEndSessionEndpoint,
      'Signed out locally, but the OP publishes no end_session_endpoint: its session was not ended. Configure one or send the user to the OP.',
    );
  }

  // The endpoint comes from discovery: it gets the ID token, so it must be as safe as a configured URL.
  const problem = urlProblem('end_session_endpoint', endpoint, options.allowInsecureHttp);
  if (problem) {
    throw new OidcSessionMonitorError(ErrorCode.InvalidMetadata, `Signed out locally, but the OP session was not ended: ${problem}`);
  }

  const hint = options.hint === false ? undefined : (options.hint ?? (user?.id_token || undefined));
  const state = randomState(ports.random ?? browserRandom);
  let params: LogoutRequestParams;
  let url: string;
  try {
    params = { ...options.request, end_session_endpoint: endpoint, id_token_hint: hint, state };
    url = buildLogoutUrl(params);
  } catch (cause) {
    // Options were validated already, so what failed here is the endpoint the OP published.
    throw new OidcSessionMonitorError(
      ErrorCode.DiscoveryFailed,
      'Signed out locally, but the OP\'s end_session_endpoint is not a usable URL.',
      { cause },
    );
  }

  // A new logout: an earlier verified callback of this tab no longer stands for a reload of the post-logout page.
  attempt(() => (ports.storage ?? browserSessionStorage).removeItem(LAST_LOGOUT_CALLBACK_KEY));
  try {
    saveLogoutState(
      { storage: ports.storage ?? browserSessionStorage, clock: ports.clock ?? systemClock },
      state,
      options.data,
      options.maxAgeMs,
    );
  } catch {
    // Leaving the user signed in at the OP would be worse than a callback that cannot be verified.
  }

  const navigation = ports.navigation ?? createDomLogoutNavigation();
  const method = chooseLogoutMethod(url, options.method);
  if (method === 'GET') {
    navigation.assign(url);
  } else {
    const form = buildLogoutForm(params);
    navigation.submitForm(form.action, form.fields);
  }
  return { method, state };
}
