import { expect, test } from './support/engine.js';
import { startDemo } from '../examples/demo-server.mjs';
import { CROSS_SITE_HOSTNAMES as HOSTNAMES } from './support/cross-site.js';
import { events, frontChannelResults, signInBySso, signInWithForm, waitForEvent } from './support/demo.js';

// Front-channel logout with the OP on another site (op.test; apps on a.test and b.test, over HTTPS). The OP frames
// each app's front-channel logout page in its own page: a third-party frame, whose storage and BroadcastChannel every
// browser here partitions by the top-level site — with third-party cookies allowed too. The receiver cannot reach the
// app's tabs; it must say so, not report a sign-out that did not happen.

type Demo = Awaited<ReturnType<typeof startDemo>>;
let demo: Demo;

test.beforeEach(async () => {
  demo = await startDemo({ interval: 1000, hostnames: HOSTNAMES, frontChannel: true, silentRequestTimeoutInSeconds: 4 });
  // A polls rarely here: whatever reaches A within the test comes through the front channel.
  demo.a.configure({ monitor: { interval: 600_000 } });
});

test.afterEach(async () => {
  await demo.close();
});

/**
 * What A's receiver, framed by the OP's page on another site, reports and achieves — as measured:
 * - Chromium, third-party cookies blocked: it may not even read localStorage (SecurityError): an error, no sign-out.
 * - Chromium, third-party cookies allowed: it gets the app's own storage (no partition): A's tab is signed out.
 * - Firefox (standard and strict), with or without the OP's storage-access grant on A's site (that grant is for the OP
 *   framed by A, not for A framed by the OP): a partitioned, empty store and channel — `partitioned: true`, no sign-out.
 */
const EXPECTED = {
  chromium: { blocked: 'error', allowed: 'signed-out' },
  firefox: { blocked: 'partitioned', allowed: 'partitioned' },
} as const;

for (const thirdPartyCookies of ['blocked', 'allowed'] as const) {
  test(`third-party cookies ${thirdPartyCookies}: the receiver framed by the OP's page on another site never reports a sign-out that did not reach A`, async ({ crossSite, engine }) => {
    const expected = EXPECTED[engine][thirdPartyCookies];
    const context = await crossSite(thirdPartyCookies);
    const a = await context.newPage();
    await signInWithForm(a, demo.a.origin);
    const b = await context.newPage();
    await signInBySso(b, demo.b.origin);

    const results = frontChannelResults(b);
    await b.click('#sign-out');
    await b.waitForURL(`${demo.b.origin}/signed-out.html**`);
    await expect.poll(() => results.get('A'), { timeout: 10_000 }).toBeDefined();
    const result = results.get('A')!;
    if (expected === 'signed-out') {
      expect(result).toMatchObject({ signedOut: true, alreadySignedOut: false, partitioned: false });
      const [signedOut] = await waitForEvent(a, 'signedOut', { timeout: 10_000 });
      expect(signedOut!.detail).toMatchObject({ reason: 'front-channel' });
      return;
    }
    if (expected === 'partitioned') {
      // No user in its partitioned store (nothing to end there); the request went into its partitioned channel.
      expect(result).toMatchObject({ signedOut: true, alreadySignedOut: true, partitioned: true });
    } else {
      expect(result).toEqual({ error: 'SecurityError' });
    }
    // Nothing reached A's tab: no front-channel sign-out there, the user still shown (the session monitor or
    // back-channel logout must do the rest).
    // A fixed wait that only shows that nothing happens.
    await a.waitForTimeout(2000);
    expect((await events(a)).filter((e) => e.event === 'signedOut')).toEqual([]);
    await expect(a.locator('#user')).toContainText('sub alice');
  });
}

test('the same receiver opened at the top level on its own site is not partitioned and signs A out', async ({ crossSite }) => {
  const context = await crossSite('allowed');
  const a = await context.newPage();
  await signInWithForm(a, demo.a.origin);
  await waitForEvent(a, 'state');
  const { iss, sid } = await a.evaluate(async () => {
    const user = await (window as unknown as { demo: { userManager: { getUser(): Promise<{ profile: { iss: string; sid: string } }> } } }).demo.userManager.getUser();
    return { iss: user.profile.iss, sid: user.profile.sid };
  });
  const receiver = await context.newPage();
  const results = frontChannelResults(receiver);
  await receiver.goto(`${demo.a.origin}/frontchannel-logout.html?iss=${encodeURIComponent(iss)}&sid=${encodeURIComponent(sid)}`);
  await expect.poll(() => results.get('A'), { timeout: 10_000 }).toMatchObject({ signedOut: true, partitioned: false });
  const [signedOut] = await waitForEvent(a, 'signedOut', { timeout: 10_000 });
  expect(signedOut!.detail).toMatchObject({ reason: 'front-channel' });
});
