// prompt=none requests at the OP per OP session change, with N tabs of one app open.
//
// Method, per run, in a fresh browser context: sign in to the monitored app in one tab (login form), open N−1
// more tabs of it, wait until monitoring has settled (every tab has seen a reply or, with tab coordination,
// one tab polls for all; plus two intervals). Clear the OP log. Then another app signs in by single sign-on:
// the OP's browser state changes for every client (the mock OP's default 'browser' mode), so each poller
// sees `changed` while the user is still signed in. Wait until every tab reported the session refreshed
// (ours `refreshed`, oidc-client-ts `userSessionChanged`), then three more intervals, and count the
// authorization requests with prompt=none for the monitored client.
import { framesOpen, openApp, signIn, sleep, withContext } from '../lib/harness.mjs';
import { promptNone } from '../lib/servers.mjs';
import { summarize } from '../lib/stats.mjs';

async function once(browser, world, tabs, interval) {
  return withContext(browser, async (context) => {
    const first = await context.newPage();
    await signIn(first, world.app, { interval });
    const pages = [first];
    for (let i = 1; i < tabs; i++) {
      const page = await context.newPage();
      await openApp(page, world.app, { interval });
      pages.push(page);
    }
    // Settle: at least one reply somewhere, then two intervals.
    const deadline = Date.now() + 20_000;
    for (;;) {
      let seen = 0;
      for (const page of pages) seen += await page.evaluate(() => window.__bench.replies.length);
      if (seen > 0 || Date.now() > deadline) break;
      await sleep(50);
    }
    await sleep(2 * interval);
    const pollers = await framesOpen(pages);
    const marks = [];
    for (const page of pages) marks.push(await page.evaluate(() => window.bench.events.length));
    world.op.clearRequests();
    const t0 = Date.now();
    const other = await context.newPage();
    await signIn(other, world.other, {}, { sso: true });
    // Every tab: refreshed (or, if something went wrong, signedOut) after its mark.
    const outcome = [];
    for (let i = 0; i < pages.length; i++) {
      const handle = await pages[i]
        .waitForFunction(
          (from) => window.bench.events.slice(from).find((e) => e.event === 'refreshed' || e.event === 'signedOut') ?? false,
          marks[i],
          { timeout: 30_000, polling: 20 },
        )
        .catch(() => null);
      outcome.push(handle ? await handle.jsonValue() : null);
    }
    const settled = Math.max(...outcome.map((o) => (o ? o.t : NaN)));
    await sleep(3 * interval);
    return {
      promptNone: promptNone(world.op.requests, world.app.config.client_id).length,
      pollersBefore: pollers,
      refreshedTabs: outcome.filter((o) => o?.event === 'refreshed').length,
      signedOutTabs: outcome.filter((o) => o?.event === 'signedOut').length,
      silentTabs: outcome.filter((o) => o === null).length,
      allTabsRefreshedMs: Number.isFinite(settled) ? settled - t0 : null,
    };
  });
}

export async function promptNoneTabs({ browser, worlds, tabCounts, runs, interval }) {
  const result = { interval };
  for (const tabs of tabCounts) {
    result[tabs] = {};
    for (const lib of ['ours', 'ots']) {
      const samples = [];
      for (let i = 0; i < runs; i++) samples.push(await once(browser, worlds[lib], tabs, interval));
      result[tabs][lib] = {
        runs: samples.length,
        promptNone: summarize(samples.map((s) => s.promptNone), 1),
        opIframesBefore: summarize(samples.map((s) => s.pollersBefore), 1),
        allTabsRefreshedMs: summarize(samples.map((s) => s.allTabsRefreshedMs ?? NaN), 0),
        samples,
      };
    }
  }
  return result;
}
