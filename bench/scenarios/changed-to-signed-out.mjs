// The OP iframe answers `changed` → the app learns the user signed out: `signedOut` (ours) / `userSignedOut`
// (oidc-client-ts). This is the re-check alone (prompt=none round trip and its processing), without the wait for
// the next poll that "OP logout in another app" includes.
//
// Method, per run, in a fresh browser context: sign in to the monitored app (login form), wait for its first
// check_session reply, clear the OP log and end the user's OP session with the mock OP's test control
// (`op.endSession()`, as an administrator or a session timeout would; the open OP iframe learns it at once over
// its event stream). t0 = the first `changed` reply from the OP origin reaching the top window (the init script's
// capture listener, registered before any page script, so both libraries are timed from the same event);
// t1 = the sign-out event. Both are `performance.now()` in the same window. The runs of the two libraries are
// interleaved (ours, oidc-client-ts, ours, …) so that drift of the machine hits both alike. oidc-client-ts runs
// twice per round: with `includeIdTokenInSilentRenew` (the same `prompt=none` request as ours, whose
// `id_token_hint` Core §3.1.2.1 says SHOULD be sent; the reference of the verdict) and as shipped (no hint, so the
// OP has no token to check: what the hint costs). Breakdown: t0 →
// arrival of the `prompt=none` request in the OP log (`Date.now()`, 1 ms: the RP's preparation); t0 → the hidden
// iframe's callback message at the top window (the OP's answer loaded in the iframe); that message → t1 (the
// library's processing of the answer until it tells the app). And the requests the OP received between t0 and t1.
import { firstReply, signIn, waitForEvent, waitForReplies, withContext } from '../lib/harness.mjs';
import { promptNone } from '../lib/servers.mjs';
import { summarize } from '../lib/stats.mjs';

async function once(browser, world, query) {
  return withContext(browser, async (context) => {
    const page = await context.newPage();
    await signIn(page, world.app, query);
    await waitForReplies(page, 1);
    const from = await page.evaluate(() => window.bench.events.length);
    world.op.clearRequests();
    const since = Date.now();
    world.op.endSession();
    const [event] = await waitForEvent(page, 'signedOut', { from, timeout: query.interval * 3 + 15_000 });
    const changed = await firstReply(page, 'changed', { since, origin: new URL(world.op.url).origin });
    if (!changed) throw new Error('no `changed` reply from the OP iframe before the sign-out event');
    const duringRecheck = world.op.requests.filter((r) => r.at >= changed.t && r.at <= event.t);
    const [authorize] = promptNone(duringRecheck, world.app.config.client_id);
    const callback = (await page.evaluate(() => window.__bench.silentCallbacks)).findLast((c) => c.p >= changed.p && c.p <= event.p);
    const ms = (v) => Number(v.toFixed(1));
    return {
      latencyMs: ms(event.p - changed.p),
      toPromptNoneMs: authorize ? authorize.at - changed.t : null,
      toCallbackMs: callback ? ms(callback.p - changed.p) : null,
      callbackToEventMs: callback ? ms(event.p - callback.p) : null,
      requests: duringRecheck.map((r) => r.path),
      reason: event.detail?.reason ?? null,
      hinted: authorize ? Boolean(authorize.query?.id_token_hint ?? authorize.form?.id_token_hint ?? authorize.id_token_hint) : null,
    };
  });
}

/** Mean requests per run by path, e.g. `{ '/authorize': 1 }`. */
function requestsPerRun(samples) {
  const counts = {};
  for (const sample of samples) for (const path of sample.requests) counts[path] = (counts[path] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).map(([path, count]) => [path, count / samples.length]));
}

export async function changedToSignedOut({ browser, worlds, runs, interval }) {
  const variants = {
    ours: [worlds.ours, { interval }],
    ots: [worlds.ots, { interval, hint: 1 }],
    otsAsShipped: [worlds.ots, { interval }],
  };
  const samples = { ours: [], ots: [], otsAsShipped: [] };
  for (let i = 0; i < runs; i++) {
    for (const [lib, [world, query]] of Object.entries(variants)) {
      const sample = await once(browser, world, query);
      // The comparison is only fair if the variants send what they say they send.
      if (sample.hinted !== null && sample.hinted !== (lib !== 'otsAsShipped')) throw new Error(`${lib}: id_token_hint ${sample.hinted ? 'sent' : 'missing'}`);
      samples[lib].push(sample);
    }
  }
  const result = { interval, runs };
  for (const lib of Object.keys(variants)) {
    result[lib] = {
      latencyMs: summarize(samples[lib].map((s) => s.latencyMs), 1),
      toPromptNoneMs: summarize(samples[lib].map((s) => s.toPromptNoneMs ?? NaN), 0),
      toCallbackMs: summarize(samples[lib].map((s) => s.toCallbackMs ?? NaN), 1),
      callbackToEventMs: summarize(samples[lib].map((s) => s.callbackToEventMs ?? NaN), 1),
      opRequestsPerRun: requestsPerRun(samples[lib]),
      samples: samples[lib],
    };
  }
  return result;
}
