// OP logout in another app → the monitored (visible) tab learns it: `signedOut` (ours) / `userSignedOut`
// (oidc-client-ts).
//
// Method, per run, in a fresh browser context: sign in to the "other" app (login form), then to the monitored
// app by single sign-on, at the given interval; wait for its first check_session reply and a fraction of one
// interval, (i + ½)/runs for run i (so the logouts fall evenly over the phases of the polling cycle); then the other app signs out
// (oidc-client-ts `signoutRedirect`, RP-initiated logout with id_token_hint: the OP ends the session at once).
// t0 = arrival of that /end_session request in the OP's log; t1 = the sign-out event in the monitored tab
// (both Date.now() on one machine). Also recorded: the first `changed` reply after t0 (detection) and the
// re-check (`changed` → event: the prompt=none round trip and its processing).
import { firstReply, signIn, sleep, waitForEvent, waitForReplies, withContext } from '../lib/harness.mjs';
import { summarize } from '../lib/stats.mjs';

async function once(browser, world, interval, phase) {
  return withContext(browser, async (context) => {
    const other = await context.newPage();
    await signIn(other, world.other);
    const page = await context.newPage();
    await signIn(page, world.app, { interval }, { sso: true });
    await waitForReplies(page, 1);
    await sleep(Math.round(phase * interval));
    world.op.clearRequests();
    const from = await page.evaluate(() => window.bench.events.length);
    await other.evaluate(() => window.bench.logout());
    const [event] = await waitForEvent(page, 'signedOut', { from, timeout: interval * 3 + 15_000 });
    const endSession = world.op.requests.find((r) => r.path.endsWith('/end_session'));
    if (!endSession) throw new Error('the OP saw no end_session request');
    const t0 = endSession.at;
    const changed = await firstReply(page, 'changed', { since: t0 });
    return {
      latencyMs: event.t - t0,
      detectionMs: changed ? changed.t - t0 : null,
      recheckMs: changed ? event.t - changed.t : null,
      reason: event.detail?.reason ?? null,
    };
  });
}

export async function logoutElsewhere({ browser, worlds, intervals, runs }) {
  const result = {};
  for (const interval of intervals) {
    result[interval] = {};
    for (const lib of ['ours', 'ots']) {
      const samples = [];
      for (let i = 0; i < runs; i++) samples.push(await once(browser, worlds[lib], interval, (i + 0.5) / runs));
      result[interval][lib] = {
        runs: samples.length,
        latencyMs: summarize(samples.map((s) => s.latencyMs), 0),
        detectionMs: summarize(samples.map((s) => s.detectionMs ?? NaN), 0),
        recheckMs: summarize(samples.map((s) => s.recheckMs ?? NaN), 0),
        samples,
      };
    }
  }
  return result;
}
