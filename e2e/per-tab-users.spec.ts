import { expect, test, type BrowserContext, type Page } from './support/engine.js';
import { startDemo } from '../examples/demo-server.mjs';
import { emulateVisibility, setVisibility } from './support/visibility.js';
import { events, signInAsAnotherUser, signInWithForm, waitForEvent, type DemoEvent } from './support/demo.js';

// Two tabs of one app, two users: with oidc-client-ts's per-tab user store (sessionStorage) tab 1 keeps alice
// while tab 2 signs in as bob, which replaces alice's session at the OP. One tab's outcome is a fact about the
// OP session, not a verdict for every tab (DESIGN trap 10): bob's tab stays signed in, alice's learns she is gone.

type Demo = Awaited<ReturnType<typeof startDemo>>;

const INTERVAL = 1000;
let demo: Demo;

test.beforeEach(async () => {
  demo = await startDemo({ interval: INTERVAL, frontChannel: false, perTabUser: true, monitor: { maxRetryDelay: 3000 } });
});

test.afterEach(async () => {
  await demo.close();
});

/** The user switches from tab `from` to tab `to`. */
async function switchTab(from: Page, to: Page): Promise<void> {
  await setVisibility(from, 'hidden');
  await setVisibility(to, 'visible');
}

async function signOuts(page: Page): Promise<DemoEvent[]> {
  return (await events(page)).filter((e) => e.event === 'signedOut' || e.event === 'userChanged');
}

/** Waits until the tab has learnt that its user is gone (a `signedOut` or a `userChanged`). */
async function waitForSignOut(page: Page, timeout: number): Promise<void> {
  await page.waitForFunction(
    () => ((window as unknown as { demo?: { events: DemoEvent[] } }).demo?.events ?? []).some((e) => e.event === 'signedOut' || e.event === 'userChanged'),
    undefined,
    { timeout },
  );
}

/** Bob's tab: still bob, never told to sign out, and still monitoring (new polls keep coming). */
async function expectBobStillSignedIn(bob: Page): Promise<void> {
  // Two more polls of bob's tab (a broadcast from alice's tab, sent before, would have arrived by then).
  const polls = (await events(bob)).filter((e) => e.event === 'status').length;
  await waitForEvent(bob, 'status', { count: polls + 2, timeout: 5 * INTERVAL });
  expect(await signOuts(bob)).toEqual([]);
  await expect(bob.locator('#user')).toContainText('sub bob');
}

/**
 * Tab 1 signs in as alice and monitors; the user opens tab 2 (tab 1 goes to the background) and signs in there as
 * bob, which makes the OP session bob's while tab 1 still holds alice.
 */
async function aliceThenBob(context: BrowserContext): Promise<{ alice: Page; bob: Page }> {
  await emulateVisibility(context);
  const alice = await context.newPage();
  await signInWithForm(alice, demo.a.origin, 'alice');
  await waitForEvent(alice, 'status', { detail: { status: 'unchanged' } });
  const bob = await context.newPage();
  await setVisibility(alice, 'hidden');
  await signInAsAnotherUser(bob, demo.a.origin, 'bob');
  await waitForEvent(bob, 'status', { detail: { status: 'unchanged' } });
  return { alice, bob };
}

test("per-tab users, alice's tab monitoring first: bob's sign-in in tab 2 signs alice's tab out, not bob's", async ({ context }) => {
  const { alice, bob } = await aliceThenBob(context);
  await expect(alice.locator('#user')).toContainText('sub alice'); // tab 1 still holds alice

  // Back to alice's tab: within a few intervals it learns that alice's OP session is gone.
  await switchTab(bob, alice);
  await waitForSignOut(alice, 5 * INTERVAL + 5000);
  await expect(alice.locator('#user')).toHaveText('signed out');

  // Bob's tab is untouched by what alice's tab found.
  await switchTab(alice, bob);
  await expectBobStillSignedIn(bob);
});

test("per-tab users, alice's tab starting last: reloaded after bob signed in, it signs alice out and leaves bob's tab alone", async ({ context }) => {
  const { alice, bob } = await aliceThenBob(context);

  // Back to alice's tab, which reloads: its monitor starts after bob's, still with alice in this tab's storage.
  await setVisibility(bob, 'hidden');
  await alice.reload();
  await alice.locator('body[data-ready="true"]').waitFor();
  await expect(alice.locator('#user')).toContainText('sub alice');
  await waitForSignOut(alice, 5 * INTERVAL + 5000);
  await expect(alice.locator('#user')).toHaveText('signed out');

  await switchTab(alice, bob);
  await expectBobStillSignedIn(bob);
});
