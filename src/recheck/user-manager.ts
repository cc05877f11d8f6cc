import type { User, UserManager, UserManagerSettings } from 'oidc-client-ts';
import type { RecheckContext, RecheckResult, SessionInfo, SignedOutError } from '../monitor/types.js';

const SIGNED_OUT_ERRORS: ReadonlySet<string> = new Set<SignedOutError>([
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
]);

/** The session ports the monitor needs, backed by an oidc-client-ts `UserManager`. */
export interface UserManagerSession {
  resolveCheckSessionIframe(): Promise<string | undefined>;
  getSession(): Promise<SessionInfo | null>;
  recheck(context: RecheckContext): Promise<RecheckResult>;
  signOutLocally(): Promise<void>;
}

function toSession(user: User | null): SessionInfo | null {
  if (!user) return null;
  const iat = user.profile.iat;
  return {
    session_state: user.session_state ?? '',
    sub: user.profile.sub,
    id_token: user.id_token ?? '',
    ...(typeof iat === 'number' ? { issued_at: iat * 1000 } : {}),
  };
}

/** True for oidc-client-ts `ErrorResponse`s (and look-alikes) that carry one of the sign-out errors. */
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
 * Adapts an oidc-client-ts `UserManager` to the monitor.
 *
 * The re-check is `signinSilent` with `prompt=none` in a hidden iframe (SM §3.1 SHOULD), the current ID token as
 * `id_token_hint` (Core §3.1.2.1), full validation of the new ID token by oidc-client-ts (Core §3.1.3.7), and the
 * new tokens stored — including the new `session_state`, so that a reload does not start stale. It runs on a
 * second `UserManager` over the same stores, with `validateSubOnSilentRenew` off: oidc-client-ts would otherwise
 * report another End-User as `login_required`, and we must tell "user switched" from "signed out". The app's
 * own manager is then told about the new user through its public `events.load`.
 *
 * Refresh tokens are never used for the re-check (`forceIframeAuth`): a refresh token says nothing about the
 * browser session at the OP.
 *
 * @see https://openid.net/specs/openid-connect-session-1_0.html#RPiframe
 */
export function userManagerSession(userManager: UserManager): UserManagerSession {
  let recheckManager: UserManager | undefined;

  const getRecheckManager = (): UserManager => {
    if (!recheckManager) {
      const Manager = userManager.constructor as new (settings: UserManagerSettings) => UserManager;
      recheckManager = new Manager({
        ...(userManager.settings as unknown as UserManagerSettings),
        validateSubOnSilentRenew: false,
        includeIdTokenInSilentRenew: true,
        automaticSilentRenew: false,
        monitorSession: false,
        monitorAnonymousSession: false,
      });
    }
    return recheckManager;
  };

  return {
    resolveCheckSessionIframe: () => userManager.metadataService.getCheckSessionIframe(),
    getSession: async () => toSession(await userManager.getUser()),
    async recheck(context) {
      let user: User | null;
      try {
        user = await getRecheckManager().signinSilent({ forceIframeAuth: true });
      } catch (error) {
        const signedOut = signedOutError(error);
        if (signedOut) return { kind: 'signedOut', ...signedOut };
        throw error;
      }
      if (!user) throw new Error('signinSilent returned no user.');
      // Same user, or somebody signing in while the monitor watched anonymously (`sub` is then empty).
      if (user.profile.sub === context.sub || context.sub === '') {
        // Let the app's manager raise userLoaded and re-arm its token expiry timers. (Another End-User's
        // tokens are removed by the monitor right after, so the app never sees them as loaded.)
        await userManager.events.load(user);
      }
      return {
        kind: 'authenticated',
        sub: user.profile.sub,
        session_state: user.session_state ?? '',
        ...(user.id_token ? { id_token: user.id_token } : {}),
      };
    },
    signOutLocally: () => userManager.removeUser(),
  };
}
