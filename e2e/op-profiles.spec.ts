import { expect, test, type Page } from './support/engine.js';
import { startDemo } from '../examples/demo-server.mjs';
import type { MockOpProfile } from '../src/mock-op/index.js';
import { events, promptNoneRequests, signInBySso, signInWithForm, waitForEvent } from './support/demo.js';

/**
 * The classic scenario and RP-initiated logout against the mock OP playing each real OP on the wire: their paths,
 * session_state formats and scopes, check_session iframes and logout pages (src/mock-op/README.md).
 */
type Demo = Awaited<ReturnType<typeof startDemo>>;

interface Case {
  profile: MockOpProfile;
  /** B's SSO sign-in changes A's session_state at this OP (a browser-wide state that moves when a client joins). */
  ssoChangesOtherClients: boolean;
  /** The OP asks "sign out?" even for a verified request. */
  confirmsLogout: boolean;
}

const CASES: Case[] = [
  { profile: 'wso2', ssoChangesOtherClients: true, confirmsLogout: true },
  { profile: 'django', ssoChangesOtherClients: false, confirmsLogout: false },
  { profile: 'janssen', ssoChangesOtherClients: false, confirmsLogout: false },
  { profile: 'keycloak', ssoChangesOtherClients: false, confirmsLogout: false },
  { profile: 'node-oidc-provider', ssoChangesOtherClients: false, confirmsLogout: true },
];

function statusCount(all: Awaited<ReturnType<typeof events>>, status: string): number {
  return all.filter((e) => e.event === 'status' && e.detail?.status === status).length;
}

/** Waits until `page` has logged `more` further `unchanged` answers than it had. */
async function moreUnchanged(page: Page, more: number): Promise<void> {
  const count = statusCount(await events(page), 'unchanged') + more;
  await waitForEvent(page, 'status', { detail: { status: 'unchanged' }, count });
}

for (const { profile, ssoChangesOtherClients, confirmsLogout } of CASES) {
  test.describe(`mock OP as ${profile}`, () => {
    let demo: Demo;

    test.afterEach(async () => {
      await demo?.close();
    });

    test('SSO into B keeps A signed in; B signs out with a verified state, and A is signed out', async ({ context }) => {
      demo = await startDemo({ interval: 1000, profile });
      expect(demo.op.profile).toBe(profile);
      const a = await context.newPage();
      await signInWithForm(a, demo.a.origin);
      await waitForEvent(a, 'status', { detail: { status: 'unchanged' } });

      const b = await context.newPage();
      await signInBySso(b, demo.b.origin);
      await waitForEvent(b, 'status', { detail: { status: 'unchanged' } });

      if (ssoChangesOtherClients) {
        // A hears `changed`, re-checks with prompt=none and stays signed in with a fresh session_state.
        const [refreshed] = await waitForEvent(a, 'refreshed');
        expect(refreshed!.detail).toMatchObject({ sub: 'alice' });
        expect(refreshed!.detail!.session_state).not.toBe(refreshed!.detail!.previous_session_state);
      }
      // Either way A goes on hearing `unchanged` and is still signed in.
      await moreUnchanged(a, 2);
      expect((await events(a)).filter((e) => e.event === 'signedOut')).toEqual([]);
      await expect(a.locator('#user')).toContainText('sub alice');

      await b.click('#sign-out');
      if (confirmsLogout) await b.locator('button[value="logout"]').click();
      await b.waitForURL(`${demo.b.origin}/signed-out.html**`);
      await b.locator('body[data-ready="true"]').waitFor();
      await expect(b.locator('#result')).toHaveAttribute('data-verified', 'true');
      await expect(b.locator('#result')).toContainText('"from":"B"');

      const [signedOut] = await waitForEvent(a, 'signedOut', { timeout: 15_000 });
      expect(signedOut!.detail).toMatchObject({ reason: expect.stringMatching(/^(login_required|front-channel)$/) });
      await expect(a.locator('#user')).toHaveText('signed out');
    });
  });
}

test.describe('mock OP as wso2, consent approved once', () => {
  test("A's re-check gets consent_required: A is signed out once, with no loop", async ({ context }) => {
    const demo = await startDemo({ interval: 1000, profile: 'wso2', consent: 'once' });
    try {
      const a = await context.newPage();
      await signInWithForm(a, demo.a.origin);
      await waitForEvent(a, 'status', { detail: { status: 'unchanged' } });
      const b = await context.newPage();
      await signInBySso(b, demo.b.origin);

      const [signedOut] = await waitForEvent(a, 'signedOut');
      expect(signedOut!.detail).toMatchObject({ reason: 'consent_required' });
      // B keeps polling; A asks the OP nothing more.
      await moreUnchanged(b, 3);
      expect(promptNoneRequests(demo.op.requests, 'app-a')).toHaveLength(1);
      expect((await events(a)).filter((e) => e.event === 'signedOut')).toHaveLength(1);
    } finally {
      await demo.close();
    }
  });
});

test.describe('mock OP as node-oidc-provider, hashing script lost', () => {
  test("the iframe answers error: A is told monitoring is unavailable, stays signed in, and no prompt=none goes out", async ({ page }) => {
    const demo = await startDemo({ interval: 1000, profile: 'node-oidc-provider', monitor: { maxRetryDelay: 1000 } });
    try {
      demo.op.loseHashScript(true);
      await signInWithForm(page, demo.a.origin);
      const [unavailable] = await waitForEvent(page, 'unavailable');
      expect(unavailable!.detail).toMatchObject({ reason: 'error-status', retrying: true });
      // It keeps trying at its backed-off pace and keeps getting `error`: never a re-check, never a sign-out.
      await waitForEvent(page, 'status', { detail: { status: 'error' }, count: 3 });
      expect(promptNoneRequests(demo.op.requests, 'app-a')).toEqual([]);
      expect((await events(page)).filter((e) => e.event === 'signedOut')).toEqual([]);
      await expect(page.locator('#user')).toContainText('sub alice');
    } finally {
      await demo.close();
    }
  });
});
