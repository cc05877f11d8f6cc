import { expect, test } from './support/engine.js';
import { startDemo, startRp } from '../examples/demo-server.mjs';
import { events, promptNoneRequests, signInBySso, signInWithForm, waitForEvent } from './support/demo.js';
import { emulateVisibility, setVisibility } from './support/visibility.js';

type Demo = Awaited<ReturnType<typeof startDemo>>;

const INTERVAL = 1000;
let demo: Demo;

test.beforeEach(async () => {
  // No front-channel logout here: these tests are about what the check_session monitor notices by itself.
  demo = await startDemo({ interval: INTERVAL, monitor: { maxRetryDelay: 3000, recheckTimeout: 8000 }, silentRequestTimeoutInSeconds: 4, frontChannel: false });
});

test.afterEach(async () => {
  await demo.close();
});

test('the classic scenario: SSO into B refreshes A silently; signing out in B signs A out', async ({ context }) => {
  const a = await context.newPage();
  await signInWithForm(a, demo.a.origin);
  await waitForEvent(a, 'status', { detail: { status: 'unchanged' } });
  const firstState = await a.locator('#session-state').textContent();

  // B signs in by single sign-on: the OP changes its browser state, so A sees `changed`…
  const b = await context.newPage();
  demo.op.clearRequests();
  await signInBySso(b, demo.b.origin);
  expect(demo.op.requests.filter((r) => r.path.endsWith('/login'))).toHaveLength(0);

  // …re-checks once with prompt=none, stays signed in, and keeps the new session_state.
  const [refreshed] = await waitForEvent(a, 'refreshed');
  expect(refreshed!.detail).toMatchObject({ sub: expect.any(String) });
  expect(promptNoneRequests(demo.op.requests, 'app-a')).toHaveLength(1);
  await expect(a.locator('#session-state')).not.toHaveText(firstState ?? '');
  await waitForEvent(a, 'status', { detail: { status: 'unchanged' }, count: 2 });
  expect((await events(a)).filter((e) => e.event === 'signedOut')).toHaveLength(0);

  // A reload starts from the stored, new session_state: the first poll says `unchanged`, no re-check.
  demo.op.clearRequests();
  await a.reload();
  await waitForEvent(a, 'status', { detail: { status: 'unchanged' } });
  expect((await events(a)).filter((e) => e.event === 'status').map((e) => e.detail?.status)).toEqual(['unchanged']);
  expect(promptNoneRequests(demo.op.requests, 'app-a')).toHaveLength(0);

  // B signs out at the OP: A notices within one interval plus one re-check, and signs out.
  await b.click('#sign-out');
  await b.waitForURL(`${demo.b.origin}/signed-out.html**`);
  const [signedOut] = await waitForEvent(a, 'signedOut', { timeout: INTERVAL + 8000 });
  expect(signedOut!.detail).toMatchObject({ reason: 'login_required' });
  await expect(a.locator('#user')).toHaveText('signed out');
  expect(await a.evaluate(() => (window as unknown as { demo: { monitor: { state: string } } }).demo.monitor.state)).toBe('signedOut');
  // Nothing of the monitor is left in the page.
  expect(await a.locator('iframe').count()).toBe(0);
});

test('an unregistered client_id gets `error`: unavailable, and not a single prompt=none', async ({ page }) => {
  await signInWithForm(page, demo.a.origin);
  await waitForEvent(page, 'status');
  demo.op.clearRequests();
  await page.evaluate(async (authority) => {
    const w = window as unknown as { demo: any };
    w.demo.monitor.stop();
    const user = await w.demo.userManager.getUser();
    w.demo.rechecks = 0;
    const monitor = w.demo.sdk.startMonitoringWithRecheck({
      issuer: authority,
      client_id: 'not-registered',
      session_state: user.session_state,
      id_token: user.id_token,
      interval: 500,
      recheck: async () => {
        w.demo.rechecks += 1;
        throw new Error('must not be called');
      },
    });
    for (const event of ['status', 'unavailable', 'signedOut']) monitor.on(event, (detail: unknown) => w.demo.events.push({ event: `byo-${event}`, detail }));
  }, demo.op.url);
  const [unavailable] = await waitForEvent(page, 'byo-unavailable');
  expect(unavailable!.detail).toMatchObject({ reason: 'error-status', retrying: true });
  await waitForEvent(page, 'byo-status', { count: 2 });
  const statuses = (await events(page)).filter((e) => e.event === 'byo-status').map((e) => e.detail?.status);
  expect(new Set(statuses)).toEqual(new Set(['error']));
  expect(await page.evaluate(() => (window as unknown as { demo: { rechecks: number } }).demo.rechecks)).toBe(0);
  expect(promptNoneRequests(demo.op.requests, 'not-registered')).toHaveLength(0);
  expect((await events(page)).filter((e) => e.event === 'byo-signedOut')).toHaveLength(0);
});

test('messages from a frame on a third origin are ignored', async ({ page }) => {
  const evil = await startRp({ name: 'evil' });
  try {
    await signInWithForm(page, demo.a.origin);
    await waitForEvent(page, 'status');
    await page.route('**/evil-frame.html', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: "<script>setInterval(() => { for (const s of ['changed', 'error', 'unchanged']) parent.postMessage(s, '*'); }, 50);</script>",
      }),
    );
    const evilOrigin = evil.origin.replace('localhost', '127.0.0.1');
    await page.evaluate((origin) => {
      // A frame of another origin that shouts every status at its parent, as a hostile page or extension could.
      const shouts = window as unknown as { evilMessages: number };
      shouts.evilMessages = 0;
      window.addEventListener('message', (event) => {
        if (event.origin === origin) shouts.evilMessages += 1;
      });
      const frame = document.createElement('iframe');
      frame.src = `${origin}/evil-frame.html`;
      document.body.appendChild(frame);
    }, evilOrigin);
    // The frame shouts, and the monitor polls twice more while it does.
    await page.waitForFunction(() => (window as unknown as { evilMessages: number }).evilMessages >= 30);
    const polled = (await events(page)).filter((e) => e.event === 'status').length;
    await waitForEvent(page, 'status', { count: polled + 2 });
    const seen = await events(page);
    const statuses = seen.filter((e) => e.event === 'status').map((e) => e.detail?.status);
    expect(statuses.length).toBeGreaterThanOrEqual(2);
    expect(new Set(statuses)).toEqual(new Set(['unchanged']));
    expect(seen.filter((e) => ['refreshed', 'signedOut', 'unavailable'].includes(e.event))).toEqual([]);
    expect(promptNoneRequests(demo.op.requests, 'app-a')).toHaveLength(0);
  } finally {
    await evil.close();
  }
});

test('the OP going down while A monitors signs nobody out, and monitoring recovers', async ({ page }) => {
  await signInWithForm(page, demo.a.origin);
  await waitForEvent(page, 'status');
  await demo.op.outage('down');
  // The OP iframe, loaded before, answers from its cookies with the OP down; a check asked for now is one more poll.
  const polls = (await events(page)).filter((e) => e.event === 'status').length;
  await page.evaluate(() => (window as unknown as { demo: { monitor: { checkNow(): void } } }).demo.monitor.checkNow());
  // Four polls in the outage, and nobody signed out.
  await waitForEvent(page, 'status', { count: polls + 4, timeout: 8 * INTERVAL });
  expect((await events(page)).filter((e) => e.event === 'signedOut')).toEqual([]);
  await demo.op.outage(null);
  const before = (await events(page)).filter((e) => e.event === 'status').length;
  await waitForEvent(page, 'status', { count: before + 2 });
  const seen = await events(page);
  expect(seen.filter((e) => e.event === 'signedOut')).toEqual([]);
  await expect(page.locator('#state')).toHaveText('monitoring');
});

test('the OP going down right after a session change: no sign-out, and the re-check succeeds once it is back', async ({ context }) => {
  await emulateVisibility(context);
  const a = await context.newPage();
  await signInWithForm(a, demo.a.origin);
  await waitForEvent(a, 'status');
  // Change the OP session (SSO into B), then take the OP down before A's re-check can reach it: A is in the
  // background meanwhile (a hidden page does not poll), and checks at once when it is shown again.
  await setVisibility(a, 'hidden');
  const b = await context.newPage();
  await signInBySso(b, demo.b.origin);
  await demo.op.outage('down');
  await setVisibility(a, 'visible');
  const [failure] = await waitForEvent(a, 'error', { timeout: 15_000 });
  expect(failure!.detail).toMatchObject({ code: expect.stringMatching(/^recheck_(failed|timeout)$/) });
  expect((await events(a)).filter((e) => e.event === 'signedOut')).toEqual([]);
  await expect(a.locator('#user')).not.toHaveText('signed out');
  await demo.op.outage(null);
  await waitForEvent(a, 'refreshed', { timeout: 20_000 });
  expect((await events(a)).filter((e) => e.event === 'signedOut')).toEqual([]);
});

test('the OP down when the page loads: monitoring starts by itself once the OP is back', async ({ page }) => {
  await signInWithForm(page, demo.a.origin);
  await waitForEvent(page, 'status');
  await demo.op.outage('down');
  await page.reload();
  await page.locator('body[data-ready="true"]').waitFor();
  const [unavailable] = await waitForEvent(page, 'unavailable');
  expect(unavailable!.detail).toMatchObject({ reason: 'discovery-failed', retrying: true });
  await demo.op.outage(null);
  await waitForEvent(page, 'status', { detail: { status: 'unchanged' }, timeout: 15_000 });
  await expect(page.locator('#state')).toHaveText('monitoring');
  expect((await events(page)).filter((e) => e.event === 'signedOut')).toEqual([]);
});

test('an OP iframe that stops answering: unavailable (no-reply), replaced with backoff, recovers by itself', async ({ page }) => {
  // The OP iframe's script is swapped for one that never answers, as a broken or blocked OP script would.
  await page.route('**/check_session.js', (route) => route.fulfill({ contentType: 'text/javascript', body: '/* never answers */' }));
  await signInWithForm(page, demo.a.origin);
  const [unavailable] = await waitForEvent(page, 'unavailable', { timeout: 15_000 });
  expect(unavailable!.detail).toMatchObject({ reason: 'no-reply', retrying: true });
  const frameLoads = () => demo.op.requests.filter((r) => r.path === '/check_session').length;
  await expect.poll(frameLoads, { timeout: 15_000 }).toBeGreaterThanOrEqual(2); // the frame was replaced
  await page.unroute('**/check_session.js');
  await waitForEvent(page, 'status', { detail: { status: 'unchanged' }, timeout: 20_000 });
  await expect(page.locator('#state')).toHaveText('monitoring');
  expect((await events(page)).filter((e) => e.event === 'signedOut')).toEqual([]);
});
