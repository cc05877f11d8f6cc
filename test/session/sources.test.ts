import { afterEach, describe, expect, it, vi } from 'vitest';
import { sourceFromSettings } from '../../src/session/sources.js';

// startMonitoringWithSettings makes its UserManager later (oidc-client-ts is loaded on demand), so its renewal port
// must queue what the coordinator asks before the UserManager exists: taking renewal over, hearing of loaded users,
// and letting go again — including letting go before the UserManager exists at all.
const SETTINGS = {
  authority: 'https://op.example',
  client_id: 'spa',
  redirect_uri: 'https://app.example/callback',
  silent_redirect_uri: 'https://app.example/silent',
  settings: {
    accessTokenExpiringNotificationTimeInSeconds: 90,
    metadata: { issuer: 'https://op.example', authorization_endpoint: 'https://op.example/authorize', token_endpoint: 'https://op.example/token' },
  },
};

async function storeAlice(accessToken: string): Promise<void> {
  const { UserManager, User } = await import('oidc-client-ts');
  await new UserManager({ ...SETTINGS, ...SETTINGS.settings }).storeUser(
    new User({ access_token: accessToken, refresh_token: 'rt', token_type: 'Bearer', session_state: 's', profile: { sub: 'alice', iss: 'https://op.example', aud: 'spa', exp: 0, iat: 0 }, expires_at: Math.floor(Date.now() / 1000) + 3600 }),
  );
}

describe("the renewal of a UserManager made later (startMonitoringWithSettings)", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    sessionStorage.clear();
    localStorage.clear();
  });

  it("takes renewal over once the UserManager exists, and gives it back when asked", async () => {
    const { UserManager } = await import('oidc-client-ts');
    const stopRenew = vi.spyOn(UserManager.prototype, 'stopSilentRenew');
    const startRenew = vi.spyOn(UserManager.prototype, 'startSilentRenew');
    const renewal = sourceFromSettings(SETTINGS, false).renewal!;
    const giveBack = renewal.takeOver(() => undefined)!;
    await vi.waitFor(() => expect(stopRenew).toHaveBeenCalledTimes(1));
    // (oidc-client-ts starts its own renewal in the UserManager's constructor; only what follows counts.)
    const started = startRenew.mock.calls.length;
    giveBack();
    expect(startRenew).toHaveBeenCalledTimes(started + 1);
    expect(startRenew.mock.contexts.at(-1)).toBe(stopRenew.mock.contexts[0]);
  });

  it('let go of before the UserManager exists, it never takes renewal over', async () => {
    const { UserManager } = await import('oidc-client-ts');
    await storeAlice('at-1');
    const stopRenew = vi.spyOn(UserManager.prototype, 'stopSilentRenew');
    const startRenew = vi.spyOn(UserManager.prototype, 'startSilentRenew');
    const renewal = sourceFromSettings(SETTINGS, false).renewal!;
    renewal.takeOver(() => undefined)!();
    // The port exists once a read answers; by then a subscription that was not withdrawn would have run.
    expect(await renewal.read()).toMatchObject({ accessToken: 'at-1' });
    expect(stopRenew).not.toHaveBeenCalled();
    // Only the constructor's own start: nothing was given back, since nothing was taken.
    expect(startRenew).toHaveBeenCalledTimes(1);
  });

  it("reads the store, hears of the users the app loads, and uses the UserManager's expiring window once it exists", async () => {
    const renewal = sourceFromSettings(SETTINGS, false).renewal!;
    // Before the UserManager exists: oidc-client-ts's default window.
    expect(renewal.expiringWindow).toBe(60);
    const heard: string[] = [];
    const withdrawn: string[] = [];
    renewal.onLoaded((tokens) => heard.push(tokens.accessToken));
    const stopWithdrawn = renewal.onLoaded((tokens) => withdrawn.push(tokens.accessToken));
    stopWithdrawn();
    await storeAlice('at-1');
    expect(await renewal.read()).toMatchObject({ sub: 'alice', accessToken: 'at-1' });
    expect(renewal.expiringWindow).toBe(90);
    await renewal.adopt();
    expect(heard).toEqual(['at-1']);
    expect(withdrawn).toEqual([]);
  });
});
