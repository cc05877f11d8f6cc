// Logout in one tab → the other tabs of the same app signed out, and the OP traffic that costs.
//
// Method, per run, in a fresh browser context: sign in to the monitored app, open `tabs`−1 more tabs of it,
// let monitoring settle (two intervals after the first reply). Clear the OP log. The first tab logs out —
// ours `logout({ userManager })`, oidc-client-ts `signoutRedirect()` — after writing Date.now() (t0) to
// localStorage. t1 per other tab = its sign-out event (ours `signedOut`, oidc-client-ts `userSignedOut`).
// OP traffic from the other tabs = prompt=none authorization requests of the app plus check_session
// iframe loads seen until the last tab signed out (the logging-out tab's own /end_session navigation is not
// counted). oidc-client-ts has no cross-tab coordination: its other tabs only learn it from their own
// check_session polls and prompt=none, so its numbers are that.
import { openApp, signIn, sleep, waitForReplies, withContext } from '../lib/harness.mjs';
import { promptNone } from '../lib/servers.mjs';
import { summarize } from '../lib/stats.mjs';

async function once(browser, world, tabs, interval) {
  return withContext(browser, async (context) => {
    const first = await context.newPage();
    await signIn(first, world.app, { interval });
    const others = [];
    for (let i = 1; i < tabs; i++) {
      const page = await context.newPage();
      await openApp(page, world.app, { interval });
      others.push(page);
    }
    await Promise.race([waitForReplies(first, 1), ...others.map((p) => waitForReplies(p, 1))]);
    await sleep(2 * interval);
    const marks = [];
    for (const page of others) marks.push(await page.evaluate(() => window.bench.events.length));
    world.op.clearRequests();
    await first.evaluate(() => window.bench.logout());
    const ends = [];
    for (let i = 0; i < others.length; i++) {
      const handle = await others[i]
        .waitForFunction((from) => window.bench.events.slice(from).find((e) => e.event === 'signedOut') ?? false, marks[i], {
          timeout: 3 * interval + 15_000,
          polling: 5,
        })
        .catch(() => null);
      ends.push(handle ? (await handle.jsonValue()).t : null);
    }
    const t0 = Number(await others[0].evaluate(() => window.localStorage.getItem('bench.logoutAt')));
    const last = Math.max(...ends.filter((t) => t !== null));
    const seen = world.op.requests.filter((r) => r.at <= last);
    return {
      latenciesMs: ends.map((t) => (t === null ? null : t - t0)),
      notSignedOut: ends.filter((t) => t === null).length,
      promptNone: promptNone(seen, world.app.config.client_id).length,
      checkSessionLoads: seen.filter((r) => r.path.endsWith('/check_session')).length,
    };
  });
}

export async function crossTabLogout({ browser, worlds, tabs, runs, interval }) {
  const result = { tabs, interval };
  for (const lib of ['ours', 'ots']) {
    const samples = [];
    for (let i = 0; i < runs; i++) samples.push(await once(browser, worlds[lib], tabs, interval));
    const all = samples.flatMap((s) => s.latenciesMs).filter((v) => v !== null);
    result[lib] = {
      runs: samples.length,
      latencyMs: summarize(all, 0),
      opRequestsFromOtherTabs: summarize(samples.map((s) => s.promptNone + s.checkSessionLoads), 1),
      promptNone: summarize(samples.map((s) => s.promptNone), 1),
      notSignedOut: samples.reduce((a, s) => a + s.notSignedOut, 0),
      samples,
    };
  }
  return result;
}
