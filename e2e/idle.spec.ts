import { expect, test, type BrowserContext, type Page } from './support/engine.js';
import { startDemo } from '../examples/demo-server.mjs';
import { events, signInAsAnotherUser, signInWithForm, waitForEvent } from './support/demo.js';

// The idle timeout across the tabs of one app (`watchIdle`, examples/app). Short periods so that the tests end
// soon; what is asserted is what happened in each tab, never when.
const TIMEOUT = 8000;
const WARNING = 4000;

type Demo = Awaited<ReturnType<typeof startDemo>>;
let demo: Demo;

test.afterEach(async () => {
  await demo.close();
});

/** Keeps the mouse moving in `page` for `ms`: a user at work. */
async function work(page: Page, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (let x = 0; Date.now() < end; x = (x + 37) % 300) {
    await page.mouse.move(10 + x, 10 + (x % 50));
    // Pacing of the activity, not a wait for anything.
    await page.waitForTimeout(300);
  }
}

async function twoTabs(context: BrowserContext): Promise<[Page, Page]> {
  const one = await context.newPage();
  await signInWithForm(one, demo.a.origin);
  const two = await context.newPage();
  await two.goto(`${demo.a.origin}/`);
  await two.locator('body[data-ready="true"]').waitFor();
  await expect(two.locator('#user')).toContainText('sub');
  return [one, two];
}

const idleRemaining = (page: Page) => page.evaluate(() => (window as unknown as { demo: { idle?: { remainingMs(): number } } }).demo.idle?.remainingMs());
const idleDeadline = (page: Page) => page.evaluate(() => (window as unknown as { demo: { idle?: { deadline?: number } } }).demo.idle?.deadline);
const idleEvents = async (page: Page, name: string) => (await events(page)).filter((e) => e.event === name);

test.describe('idle timeout, local sign-out', () => {
  test.beforeEach(async () => {
    demo = await startDemo({ interval: 1000, idle: { timeout: TIMEOUT, warning: WARNING } });
  });

  test('a tab opened later joins the shared deadline instead of starting its own', async ({ context }) => {
    const [one, two] = await twoTabs(context);
    // Each tab derives the deadline from its own clock, so they agree to the millisecond or so; a period of its own
    // would be off by the seconds tab 2 took to open and sign in.
    expect(Math.abs((await idleDeadline(two))! - (await idleDeadline(one))!)).toBeLessThan(250);
  });

  test('activity in tab 2 keeps tab 1 signed in: no warning, no sign-out anywhere', async ({ context }) => {
    const [one, two] = await twoTabs(context);
    const end = Date.now() + 2 * TIMEOUT;
    for (let x = 0; Date.now() < end; x = (x + 37) % 300) {
      await two.mouse.move(10 + x, 10 + (x % 50));
      // Pacing the user's activity over two timeouts, not waiting for anything.
      await two.waitForTimeout(300);
    }
    for (const tab of [one, two]) {
      expect(await idleEvents(tab, 'idle-warning')).toEqual([]);
      expect(await idleEvents(tab, 'idle-timeout')).toEqual([]);
      await expect(tab.locator('#user')).toContainText('sub');
    }
  });

  test('idle everywhere: the warning shows in both tabs, then one decision signs both out', async ({ context }) => {
    const [one, two] = await twoTabs(context);
    for (const tab of [one, two]) {
      await waitForEvent(tab, 'idle-warning', { timeout: 2 * TIMEOUT });
      await expect(tab.locator('#idle-warning')).toBeVisible();
      await expect(tab.locator('#idle-countdown')).toHaveText(/^\d+$/);
    }
    const timeouts = [];
    for (const tab of [one, two]) {
      timeouts.push(...(await waitForEvent(tab, 'idle-timeout', { timeout: 2 * TIMEOUT })));
      // The app's monitor signed out the way it does for the OP: `signedOut`, reason idle.
      await waitForEvent(tab, 'signedOut', { detail: { reason: 'idle' } });
      await expect(tab.locator('#user')).toHaveText('signed out');
      await expect(tab.locator('#idle-warning')).toBeHidden();
    }
    expect(timeouts.map((t) => t.detail?.decidedHere).sort()).toEqual([false, true]);
  });

  test('"stay signed in" in one tab cancels the warning in the other', async ({ context }) => {
    const [one, two] = await twoTabs(context);
    await waitForEvent(one, 'idle-warning', { timeout: 2 * TIMEOUT });
    await waitForEvent(two, 'idle-warning', { timeout: 2 * TIMEOUT });
    // A click event alone: a real click's pointer events are activity, which would end the warning before it.
    await two.locator('#stay-signed-in').dispatchEvent('click');
    await waitForEvent(one, 'idle-warning-cancelled');
    await expect(one.locator('#idle-warning')).toBeHidden();
    await expect(two.locator('#idle-warning')).toBeHidden();
    expect(await idleEvents(one, 'idle-timeout')).toEqual([]);
    await expect(one.locator('#user')).toContainText('sub');
  });

  test('closing the tab that showed the warning loses nothing: the other tab still times out', async ({ context }) => {
    const [one, two] = await twoTabs(context);
    await waitForEvent(one, 'idle-warning', { timeout: 2 * TIMEOUT });
    await one.close();
    const [timeout] = await waitForEvent(two, 'idle-timeout', { timeout: 2 * TIMEOUT });
    expect(timeout?.detail).toEqual({ decidedHere: true });
    await expect(two.locator('#user')).toHaveText('signed out');
  });
});

test.describe('idle timeout with RP-initiated logout', () => {
  test.beforeEach(async () => {
    demo = await startDemo({ interval: 1000, idle: { timeout: TIMEOUT, warning: WARNING, logout: true } });
  });

  test('the deciding tab alone goes on to the OP; the OP session ends and the other tab signs out locally', async ({ context }) => {
    const [one, two] = await twoTabs(context);
    demo.op.clearRequests();
    const decider = await Promise.race([
      one.waitForURL(/signed-out\.html/, { timeout: 3 * TIMEOUT }).then(() => one),
      two.waitForURL(/signed-out\.html/, { timeout: 3 * TIMEOUT }).then(() => two),
    ]);
    await expect(decider.locator('#result')).toHaveAttribute('data-verified', 'true');
    const other = decider === one ? two : one;
    await waitForEvent(other, 'idle-timeout');
    expect((await idleEvents(other, 'idle-timeout')).map((e) => e.detail)).toEqual([{ decidedHere: false }]);
    await expect(other.locator('#user')).toHaveText('signed out');
    expect(demo.op.requests.filter((r) => r.path.endsWith('/end_session')).length).toBeGreaterThanOrEqual(1);
    expect(other.url()).toBe(`${demo.a.origin}/`);
  });
});

test.describe('idle timeout when storage cannot be written', () => {
  test.beforeEach(async ({ context }) => {
    demo = await startDemo({ interval: 1000, idle: { timeout: TIMEOUT, warning: WARNING } });
    // The browser refuses every write of the idle record, as with a full quota.
    await context.addInitScript(() => {
      const setItem = Storage.prototype.setItem;
      Storage.prototype.setItem = function (key: string, value: string) {
        if (key.startsWith('oidc-session-monitor:idle:')) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return setItem.call(this, key, value);
      };
    });
  });

  test('activity in tab 2 still keeps tab 1 signed in (over BroadcastChannel): no warning, no sign-out anywhere', async ({ context }) => {
    const [one, two] = await twoTabs(context);
    await work(two, 2 * TIMEOUT);
    for (const tab of [one, two]) {
      expect(await idleEvents(tab, 'idle-warning')).toEqual([]);
      expect(await idleEvents(tab, 'idle-timeout')).toEqual([]);
      await expect(tab.locator('#user')).toContainText('sub');
    }
  });

  test('idle everywhere: one tab decides and the other learns of it and signs out too', async ({ context }) => {
    const [one, two] = await twoTabs(context);
    const timeouts = [];
    for (const tab of [one, two]) {
      timeouts.push(...(await waitForEvent(tab, 'idle-timeout', { timeout: 3 * TIMEOUT })));
      await expect(tab.locator('#user')).toHaveText('signed out');
    }
    expect(timeouts.map((t) => t.detail?.decidedHere).sort()).toEqual([false, true]);
  });
});

test.describe('idle timeout, two users in two tabs', () => {
  test.beforeEach(async () => {
    // Per-tab user stores; no session monitor, so that only the idle timeout signs anyone out (bob's sign-in
    // replaces alice's session at the OP, which a monitor would report in her tab).
    demo = await startDemo({ perTabUser: true, monitor: false, idle: { timeout: TIMEOUT, warning: WARNING } });
  });

  test("alice's unattended tab times out while bob works in his; bob is neither warned nor signed out", async ({ context }) => {
    const alices = await context.newPage();
    await signInAsAnotherUser(alices, demo.a.origin, 'alice');
    const bobs = await context.newPage();
    await signInAsAnotherUser(bobs, demo.a.origin, 'bob');
    const working = work(bobs, 2 * TIMEOUT);
    const [timeout] = await waitForEvent(alices, 'idle-timeout', { timeout: 2 * TIMEOUT });
    expect(timeout?.detail).toEqual({ decidedHere: true });
    await expect(alices.locator('#user')).toHaveText('signed out');
    await working;
    expect(await idleEvents(bobs, 'idle-warning')).toEqual([]);
    expect(await idleEvents(bobs, 'idle-timeout')).toEqual([]);
    await expect(bobs.locator('#user')).toContainText('sub bob');
  });
});

test.describe('idle timeout and a new sign-in', () => {
  test.beforeEach(async () => {
    demo = await startDemo({ interval: 1000, idle: { timeout: TIMEOUT, warning: WARNING } });
  });

  test("bob signing in after alice's session ended does not inherit her deadline", async ({ page }) => {
    await signInWithForm(page, demo.a.origin);
    await waitForEvent(page, 'idle-warning', { timeout: 2 * TIMEOUT });
    // Alice's session ends at the OP while her warning shows; the monitor signs her out.
    demo.op.endSession();
    await expect(page.locator('#user')).toHaveText('signed out', { timeout: 2 * TIMEOUT });
    await signInWithForm(page, demo.a.origin, 'bob');
    await expect(page.locator('#user')).toContainText('sub bob');
    // Bob's period began with his sign-in: the warning is still more than TIMEOUT - WARNING away minus the page load.
    expect(await idleRemaining(page)).toBeGreaterThan(WARNING);
    await expect(page.locator('#idle-warning')).toBeHidden();
  });
});

test.describe('idle timeout from a script tag', () => {
  test.beforeEach(async () => {
    demo = await startDemo({ interval: 1000 });
  });

  test("oidc-session-monitor.idle.iife.min.js signs the user out through the page's monitor (reason idle)", async ({ page }) => {
    await signInWithForm(page, demo.a.origin);
    await waitForEvent(page, 'state', { detail: { state: 'monitoring' } });
    // The demo app runs the ESM build; the two scripts are another copy of the SDK on the same page, which finds the
    // app's monitor through the page-wide registry.
    await page.addScriptTag({ url: '/dist/oidc-session-monitor.iife.min.js' });
    await page.addScriptTag({ url: '/dist/oidc-session-monitor.idle.iife.min.js' });
    await page.evaluate(() => {
      const w = window as unknown as { OidcSessionMonitorIdle: { watchIdle(options: object): unknown }; demo: { userManager: unknown } };
      w.OidcSessionMonitorIdle.watchIdle({ userManager: w.demo.userManager, timeout: 2000, warning: 1000 });
    });
    await waitForEvent(page, 'signedOut', { detail: { reason: 'idle' }, timeout: 3 * TIMEOUT });
    await expect(page.locator('#user')).toHaveText('signed out');
  });
});
