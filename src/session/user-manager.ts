import type { INavigator, SigninSilentArgs, StateStore, User, UserManager, UserManagerSettings } from 'oidc-client-ts';
import type { RecheckResult, SessionInfo, SignedOutError } from '../monitor/types.js';
import { normalizeIssuer } from '../url.js';
import { SIGNED_OUT_ERRORS } from './constants.js';
import { cancelled, type SilentFrames, silentFrames } from './silent-frames.js';
import type { RenewalPort, StoredTokens } from './renewal-port.js';
import type { SessionSource } from './source.js';

/** A store that lives as long as the page: where a re-check's result waits until the monitor accepts it. */
function memoryStore(): StateStore {
  const entries = new Map<string, string>();
  return {
    set: async (key, value) => void entries.set(key, value),
    get: async (key) => entries.get(key) ?? null,
    remove: async (key) => {
      const value = entries.get(key) ?? null;
      entries.delete(key);
      return value;
    },
    getAllKeys: async () => [...entries.keys()],
  };
}

/** Rejects once `signal` is aborted. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    const fail = () => reject(cancelled());
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

function toTokens(user: User | null): StoredTokens | null {
  return user?.access_token ? { sub: user.profile.sub, accessToken: user.access_token, expiresAt: user.expires_at } : null;
}

/**
 * The `UserManager`'s renewal, for the SDK to coordinate across tabs. With `automaticSilentRenew` (oidc-client-ts's
 * default) the SDK takes it over while it monitors: oidc-client-ts's own renewal stops, and the same "access token
 * expiring" event calls the SDK's instead, which renews with the same `signinSilent()` (the refresh token, else
 * `prompt=none` in an iframe) once per user per browser. Giving it back restarts oidc-client-ts's own. Several
 * monitors of one `UserManager` (a replaced monitor, two hooks) take it over once and give it back with the last.
 */
function userManagerRenewal(userManager: UserManager): RenewalPort | undefined {
  // A look-alike without oidc-client-ts's renewal (a test double, an older version) renews nothing to coordinate.
  const { events } = userManager as Partial<UserManager>;
  if (typeof events?.addAccessTokenExpiring !== 'function' || typeof events.addUserLoaded !== 'function' || typeof userManager.stopSilentRenew !== 'function') return undefined;
  const internals = { loadUser: (userManager as unknown as { _loadUser?: () => Promise<User | null> })._loadUser };
  return {
    expiringWindow: userManager.settings.accessTokenExpiringNotificationTimeInSeconds,
    takeOver(onExpiring) {
      if (!userManager.settings.automaticSilentRenew) return undefined;
      const holders = (takenOver.get(userManager) ?? 0) + 1;
      takenOver.set(userManager, holders);
      if (holders === 1) userManager.stopSilentRenew();
      const remove = userManager.events.addAccessTokenExpiring(onExpiring);
      return () => {
        remove();
        const left = (takenOver.get(userManager) ?? 1) - 1;
        if (left > 0) takenOver.set(userManager, left);
        else {
          takenOver.delete(userManager);
          userManager.startSilentRenew();
        }
      };
    },
    // The store as it is, without getUser()'s side effect of re-arming the expiry timers: a token whose renewal failed
    // would otherwise raise "expiring" again every second until it expires. (`_loadUser` is oidc-client-ts's own
    // read of the store; a version without it falls back to getUser().)
    read: async () => toTokens(await (typeof internals.loadUser === 'function' ? internals.loadUser.call(userManager) : userManager.getUser())),
    renew: async () => void (await userManager.signinSilent()),
    async adopt() {
      const user = await userManager.getUser();
      // Raises userLoaded, so the app (react-oidc-context's `auth.user`) holds the new tokens too.
      if (user) await userManager.events.load(user);
    },
    onLoaded(handler) {
      const listener = (user: User) => {
        const tokens = toTokens(user);
        if (tokens) handler(tokens);
      };
      return userManager.events.addUserLoaded(listener);
    },
  };
}

/** How many monitors currently hold each `UserManager`'s renewal. */
const takenOver = new WeakMap<UserManager, number>();

function toSession(user: User | null): SessionInfo | null {
  if (!user) return null;
  return { session_state: user.session_state ?? '', sub: user.profile.sub, ...(user.id_token ? { id_token: user.id_token } : {}) };
}

/** The sign-out error an oidc-client-ts `ErrorResponse` (or look-alike) carries, if any. */
function signedOutError(error: unknown): { error: SignedOutError; session_state?: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as { error?: unknown; session_state?: unknown };
  if (typeof candidate.error !== 'string' || !SIGNED_OUT_ERRORS.has(candidate.error)) return undefined;
  return {
    error: candidate.error as SignedOutError,
    ...(typeof candidate.session_state === 'string' && candidate.session_state ? { session_state: candidate.session_state } : {}),
  };
}

/**
 * The session of an oidc-client-ts `UserManager`, for the monitor, `logout()` and the front-channel receiver.
 *
 * The re-check is `signinSilent` with `prompt=none` in a hidden iframe (SM §3.1 SHOULD), with the current ID token
 * as `id_token_hint` (Core §3.1.2.1) and full validation of the new ID token by oidc-client-ts (Core §3.1.3.7).
 * The iframe is ours ({@link silentFrames}): one waits ready, and a cancelled re-check's goes at once.
 * It runs on a second `UserManager` whose stores live in memory and which reuses the app manager's metadata (no
 * second discovery request): its result reaches the app's store only through `accept`, once the monitor has
 * decided — another End-User's tokens, or a result that came after a timeout, `stop()` or `logout()`, never do.
 * `validateSubOnSilentRenew` is off there, so that "user switched" can be told from "signed out".
 *
 * Refresh tokens are never used for the re-check (`forceIframeAuth`): a refresh token says nothing about the
 * browser session at the OP.
 *
 * @param allowInsecureHttp - the monitor's option: whether the re-check may send its request (with the ID token) to
 *   an `http:` authorization endpoint on a non-loopback host.
 *
 * @see https://openid.net/specs/openid-connect-session-1_0.html#RPiframe
 */
export function userManagerSource(userManager: UserManager, allowInsecureHttp = false): SessionSource {
  const settings = userManager.settings;
  let recheckManager: Promise<UserManager> | undefined;
  const results = new WeakMap<object, User>();
  // The re-check's iframes: made when first needed, so that a source that never re-checks (logout) touches no page.
  let frames: SilentFrames | undefined;
  const silent = (): SilentFrames => (frames ??= silentFrames(settings.silentRequestTimeoutInSeconds, allowInsecureHttp));

  const getRecheckManager = (): Promise<UserManager> => {
    recheckManager ??= userManager.metadataService.getMetadata().then(
      (metadata) => {
        const Manager = userManager.constructor as new (settings: UserManagerSettings, redirect?: undefined, popup?: undefined, iframe?: INavigator) => UserManager;
        return new Manager(
          {
            ...(settings as unknown as UserManagerSettings),
            metadata,
            userStore: memoryStore(),
            stateStore: memoryStore(),
            validateSubOnSilentRenew: false,
            includeIdTokenInSilentRenew: false,
            automaticSilentRenew: false,
            monitorSession: false,
            monitorAnonymousSession: false,
          },
          undefined,
          undefined,
          silent(),
        );
      },
      (error: unknown) => {
        recheckManager = undefined;
        throw error;
      },
    );
    return recheckManager;
  };

  const renewal = userManagerRenewal(userManager);
  return {
    issuer: normalizeIssuer(settings.authority),
    clientId: settings.client_id,
    ...(settings.post_logout_redirect_uri ? { postLogoutRedirectUri: settings.post_logout_redirect_uri } : {}),
    resolveCheckSessionIframe: async () => {
      const url = await userManager.metadataService.getCheckSessionIframe();
      // Prepare the re-check's manager and its iframe now, while nothing waits for them: a `changed` answer then
      // goes straight to the prompt=none request.
      if (url) getRecheckManager().then(() => silent().warm(), () => undefined);
      return url;
    },
    resolveEndSessionEndpoint: () => userManager.metadataService.getEndSessionEndpoint(),
    getSession: async () => toSession(await userManager.getUser()),
    async recheck(context) {
      const manager = await getRecheckManager();
      if (context.signal.aborted) throw cancelled();
      let user: User | null;
      try {
        // `id_token_hint` is not in oidc-client-ts's argument type, but signinSilent passes its arguments on to the
        // authorization request, where it belongs (Core §3.1.2.1).
        const args = { forceIframeAuth: true, ...(context.id_token ? { id_token_hint: context.id_token } : {}) };
        // Stop waiting when the monitor gives up (its result would be dropped anyway); the request's iframe goes too.
        silent().bind(context.signal);
        user = await Promise.race([manager.signinSilent(args as SigninSilentArgs), aborted(context.signal)]);
      } catch (error) {
        const signedOut = signedOutError(error);
        if (signedOut) return { kind: 'signedOut', ...signedOut };
        throw error;
      }
      if (!user) throw new Error('signinSilent returned no user.');
      const result: RecheckResult = {
        kind: 'authenticated',
        sub: user.profile.sub,
        session_state: user.session_state ?? '',
        ...(user.id_token ? { id_token: user.id_token } : {}),
      };
      results.set(result, user);
      return result;
    },
    async accept(result, expectedSub) {
      const user = results.get(result);
      if (!user) return;
      results.delete(result);
      // A store shared by tabs (localStorage) may hold another tab's user by now: never overwrite it.
      const current = await userManager.getUser();
      if ((current?.profile.sub ?? '') !== expectedSub) return;
      await userManager.storeUser(user);
      // Raises the app manager's userLoaded and re-arms its token expiry timers.
      await userManager.events.load(user);
    },
    ...(renewal ? { renewal } : {}),
    // Also when the manager is still being made: its iframes then never come.
    dispose: () => silent().dispose(),
    async removeUser(expectedSub) {
      if (expectedSub !== undefined) {
        const current = await userManager.getUser();
        // The verdict was about `expectedSub`; another tab sharing the store may have signed somebody else in.
        if (current && current.profile.sub !== expectedSub) return;
      }
      await userManager.removeUser();
    },
  };
}
