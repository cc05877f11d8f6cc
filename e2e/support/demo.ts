import { expect, type Page } from './engine.js';
import type { MockOpRequest } from '../../src/mock-op/index.js';

/** One entry of a demo app's event log (`window.demo.events`). */
export interface DemoEvent {
  event: string;
  detail: Record<string, unknown> | undefined;
}

/** Signs in to a demo app through the OP's login form. */
export async function signInWithForm(page: Page, origin: string, user = 'alice'): Promise<void> {
  await page.goto(`${origin}/`);
  await page.locator('body[data-ready="true"]').waitFor();
  await page.click('#sign-in');
  await page.fill('input[name="username"]', user);
  await page.fill('input[name="password"]', user);
  await page.click('button[type="submit"]');
  await page.waitForURL(`${origin}/`);
  await expect(page.locator('#user')).toContainText(`sub`);
}

/**
 * Signs in to a demo app as `user` in a tab that holds nobody yet (the demo's per-tab user store): "sign in as
 * another user" makes the OP show its form even where another user is signed in at the OP.
 */
export async function signInAsAnotherUser(page: Page, origin: string, user: string): Promise<void> {
  await page.goto(`${origin}/`);
  await page.locator('body[data-ready="true"]').waitFor();
  await expect(page.locator('#user')).toHaveText('signed out'); // this tab has no user of its own yet
  await page.click('#sign-in-other');
  await page.fill('input[name="username"]', user);
  await page.fill('input[name="password"]', user);
  await page.click('button[type="submit"]');
  await page.waitForURL(`${origin}/`);
  await expect(page.locator('#user')).toContainText(`sub ${user}`);
}

/** Signs in to a demo app that should get a single sign-on: no login form may appear. */
export async function signInBySso(page: Page, origin: string): Promise<void> {
  await page.goto(`${origin}/`);
  await page.locator('body[data-ready="true"]').waitFor();
  await page.click('#sign-in');
  await page.waitForURL(`${origin}/`);
  await expect(page.locator('#user')).toContainText('sub');
}

export function events(page: Page): Promise<DemoEvent[]> {
  return page.evaluate(() => (window as unknown as { demo: { events: DemoEvent[] } }).demo.events);
}

/** Waits until the app has logged `event` (optionally matching `detail`) at least `count` times. */
export async function waitForEvent(page: Page, event: string, options: { count?: number; timeout?: number; detail?: Record<string, unknown> } = {}): Promise<DemoEvent[]> {
  const { count = 1, timeout = 20_000, detail } = options;
  await page.waitForFunction(
    ({ event, count, detail }) => {
      const all = (window as unknown as { demo?: { events: DemoEvent[] } }).demo?.events ?? [];
      const hits = all.filter((e) => e.event === event && (!detail || Object.entries(detail).every(([k, v]) => e.detail?.[k] === v)));
      return hits.length >= count;
    },
    { event, count, detail },
    { timeout },
  );
  return (await events(page)).filter((e) => e.event === event);
}

/** The `prompt=none` authorization requests the OP received for `clientId`. */
export function promptNoneRequests(requests: MockOpRequest[], clientId: string): MockOpRequest[] {
  return requests.filter((r) => r.path.endsWith('/authorize') && r.query.prompt === 'none' && r.query.client_id === clientId);
}

/** The results that the demo's front-channel logout pages, framed in the OP's page shown in `page`, log by app name. */
export function frontChannelResults(page: Page): Map<string, Record<string, unknown>> {
  const results = new Map<string, Record<string, unknown>>();
  page.on('console', (message) => {
    const match = /^front-channel logout (\w+): (.*)$/.exec(message.text());
    if (match) results.set(match[1]!, JSON.parse(match[2]!) as Record<string, unknown>);
  });
  return results;
}
