import { expect, test, type BrowserContext, type Page } from './support/engine.js';
import { startDemo } from '../examples/demo-server.mjs';
import { events, signInWithForm, waitForEvent } from './support/demo.js';

// The idle timeout across the tabs of one app (`watchIdle`, examples/app). Short periods so that the tests end
// soon; what is asserted is what happened in each tab, never when.
const TIMEOUT = 8000;
const WARNING = 4000;

type Demo = Awaited<ReturnType<typeof startDemo>>;
let demo: Demo;

test.afterEach(async () => {
  await demo.close();
});

async function twoTabs(context: BrowserContext): Promise<[Page, Page]> {
  const one = await context.newPage();
  await signInWithForm(one, demo.a.origin);
  const two = await context.newPage();
  await two.goto(`${demo.a.origin}/`);
  await two.locator('body[data-ready="true"]').waitFor();
  await expect(two.locator('#user')).toContainText('sub');
  return [one, two];
}

const idleDeadline = (page: Page) => page.evaluate(() => (window as unknown as { demo: { idle?: { deadline?: number } } }).demo.idle?.deadline);
const idleEvents = async (page: Page, name: string) => (await events(page)).filter((e) => e.event === name);

test.describe('idle timeout, local sign-out', () => {
  test.beforeEach(async () => {
    demo = await startDemo({ interval: 1000, idle: { timeout: TIMEOUT, warning: WARNING } });
  });

  test('a tab opened later joins the shared deadline instead of starting its own', async ({ context }) => {
    const [one, two] = await twoTabs(context);
    expect(await idleDeadline(two)).toBe(await idleDeadline(one));
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
