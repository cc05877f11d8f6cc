// An OP without check_session_iframe (the mock OP as node-oidc-provider 7 and later): ours watches by prompt=none
// re-checks; oidc-client-ts's SessionMonitor finds no iframe in the metadata and does nothing.
//
// Method, per library, in fresh browser contexts against the library's own mock OP:
// - Requests while visible and idle: sign in (login form), wait until monitoring settled (ours: the page's first
//   re-check answered; oidc-client-ts: one second), clear the OP's request log, count every request the OP receives
//   over `windows` windows of `windowSeconds`. Ours runs with `recheckInterval: period` (shorter than the 5-minute
//   default, so that an observation of seconds holds several periods); the figures per hour are given both at that
//   period and scaled to the default: requests per re-check × 3600 / 300.
// - Logout elsewhere → signed out after a focus: sign in, wait as above, hide the page (as a switch to another tab
//   does), end the user's OP session (`op.endSession()`, what a logout in another app does at the OP), wait until the
//   minimum gap since the page's last re-check is over, then show the page and fire `focus` (coming back to the tab).
//   t0 = that `visibilitychange`, t1 = the sign-out event (ours `signedOut`, oidc-client-ts `userSignedOut`), both
//   `performance.now()` in the page. oidc-client-ts gets `noEventMs` to show an event; none comes.
import { signIn, sleep, waitForEvent, withContext } from '../lib/harness.mjs';
import { promptNone } from '../lib/servers.mjs';
import { summarize } from '../lib/stats.mjs';

/** The default `recheckInterval` the per-hour figure is scaled to. */
const DEFAULT_PERIOD = 300_000;

export async function recheckMode({ browser, worlds, period, gap, windowSeconds, windows, runs, noEventMs }) {
  const query = (lib) => (lib === 'ours' ? { recheckInterval: period, minRecheckInterval: gap } : {});
  const settle = async (lib, page) => {
    if (lib === 'ours') await waitForEvent(page, 'refreshed');
    else await sleep(1000);
  };

  const idle = (lib) =>
    withContext(browser, async (context) => {
      const world = worlds[lib];
      const page = await context.newPage();
      await signIn(page, world.app, query(lib));
      await settle(lib, page);
      const perHour = [];
      const paths = {};
      let checks = 0;
      let requests = 0;
      for (let w = 0; w < windows; w++) {
        world.op.clearRequests();
        await sleep(windowSeconds * 1000);
        const seen = [...world.op.requests];
        requests += seen.length;
        checks += promptNone(seen, world.app.config.client_id).length;
        perHour.push((seen.length * 3600) / windowSeconds);
        for (const r of seen) paths[`${r.method} ${r.path}`] = (paths[`${r.method} ${r.path}`] ?? 0) + 1;
      }
      const perCheck = checks > 0 ? requests / checks : null;
      return {
        perHour: summarize(perHour, 0),
        samples: perHour,
        requestsByPath: paths,
        checks,
        requests,
        requestsPerCheck: perCheck,
        perHourAtDefaultPeriod: perCheck === null ? 0 : (perCheck * 3600_000) / DEFAULT_PERIOD,
      };
    });

  const focusAfterLogout = (lib, count) =>
    withContext(browser, async (context) => {
      const world = worlds[lib];
      const samples = [];
      for (let i = 0; i < count; i++) {
        const page = await context.newPage();
        await signIn(page, world.app, query(lib));
        await settle(lib, page);
        await page.evaluate(() => window.__bench.setVisibility('hidden'));
        world.op.endSession({ sub: 'alice' });
        await sleep(gap + 200);
        const from = await page.evaluate(() => window.bench.events.length);
        const t0 = await page.evaluate(() => {
          const at = window.__bench.setVisibility('visible');
          window.dispatchEvent(new Event('focus'));
          return at;
        });
        try {
          const [event] = await waitForEvent(page, 'signedOut', { from, timeout: lib === 'ours' ? 15_000 : noEventMs });
          samples.push(event.p - t0);
        } catch {
          // Nothing came: this library does not notice the logout.
          samples.push(null);
        }
        await page.close();
      }
      const seen = samples.filter((s) => s !== null);
      return { runs: count, signedOut: seen.length, latencyMs: summarize(seen, 0), samples };
    });

  const [oursIdle, otsIdle] = await Promise.all([idle('ours'), idle('ots')]);
  const ours = await focusAfterLogout('ours', runs);
  const ots = await focusAfterLogout('ots', 1);
  return {
    profile: 'node-oidc-provider-7',
    period,
    gap,
    defaultPeriod: DEFAULT_PERIOD,
    windowSeconds,
    windows,
    noEventMs,
    ours: { idle: oursIdle, focus: ours },
    ots: { idle: otsIdle, focus: ots },
  };
}
