// Token renewal with six tabs of one app sharing one sign-in (localStorage), against a mock OP that rotates refresh
// tokens and revokes the grant when a used one comes back (as oidc-provider, Keycloak "Revoke Refresh Token", Auth0
// and Okta do). Each library runs with oidc-client-ts's automaticSilentRenew on, as it ships: oidc-client-ts renews
// in every tab; ours takes renewal over and renews once per user per browser.
//
// Method, per run, in a fresh browser context: sign in in one tab, open five more, wait for one renewal round, then
// reload the six tabs at once (a browser restoring its tabs) and clear the OP log. Access tokens live TTL s and
// oidc-client-ts renews 60 s before expiry, so a round comes every TTL − 60 s. Observe `rounds` rounds; a round is
// the refresh-token requests that come within 1.5 s of each other. Per round: the token requests, the invalid_grant
// answers, and the time from its first token request until every tab's app has loaded (oidc-client-ts `userLoaded`)
// the tokens the store holds at the round's end — none if some tab never does.
import { openApp, signIn, sleep, withContext } from '../lib/harness.mjs';
import { summarize } from '../lib/stats.mjs';

export const RENEWAL_TTL = 63;
const PERIOD_MS = (RENEWAL_TTL - 60) * 1000;

async function once(browser, world, tabs, rounds) {
  return withContext(browser, async (context) => {
    const query = { renew: 1 };
    const first = await context.newPage();
    await signIn(first, world.app, query);
    const pages = [first];
    for (let i = 1; i < tabs; i++) {
      const page = await context.newPage();
      await openApp(page, world.app, query);
      pages.push(page);
    }
    const refreshes = () => world.op.requests.filter((r) => r.grantType === 'refresh_token' && r.status !== undefined);
    // Right after a round, so that the reload does not cut one short (that would lose the rotated token for anyone).
    const before = refreshes().length;
    const deadline = Date.now() + 3 * PERIOD_MS + 10_000;
    while (refreshes().length === before && Date.now() < deadline) await sleep(50);
    await sleep(500);
    world.op.clearRequests();
    const t0 = Date.now();
    await Promise.all(pages.map((page) => page.reload().then(() => page.waitForFunction(() => window.bench?.ready === true, undefined, { timeout: 20_000 }))));
    await sleep(rounds * PERIOD_MS + 2000);
    const log = refreshes().filter((r) => r.at >= t0);
    const groups = [];
    for (const request of log) {
      const last = groups.at(-1);
      if (last && request.at - last.at.at(-1) < 1500) last.at.push(request.at), last.requests.push(request);
      else groups.push({ at: [request.at], requests: [request] });
    }
    const loads = await Promise.all(pages.map((page) => page.evaluate(() => window.bench.events.filter((e) => e.event === 'userLoaded').map((e) => ({ t: e.t, token: e.detail.token })))));
    const stored = await first.evaluate(() => {
      const key = Object.keys(localStorage).find((k) => k.includes('user:'));
      return key ? JSON.parse(localStorage.getItem(key)).access_token.slice(-16) : null;
    });
    const perRound = groups.map((group, i) => {
      const start = group.at[0];
      const end = groups[i + 1]?.at[0] ?? Infinity;
      // What the store held at the end of the round: the last token any tab loaded in it.
      const inRound = loads.flat().filter((l) => l.t >= start && l.t < end).sort((a, b) => a.t - b.t);
      const newest = i === groups.length - 1 ? stored : inRound.at(-1)?.token;
      const heldAt = loads.map((tab) => tab.find((l) => l.t >= start && l.t < end && l.token === newest)?.t);
      return {
        requests: group.requests.length,
        invalidGrants: group.requests.filter((r) => r.error === 'invalid_grant').length,
        allTabsHoldMs: heldAt.every((t) => t !== undefined) ? Math.max(...heldAt) - start : null,
      };
    });
    return { rounds: perRound, invalidGrants: log.filter((r) => r.error === 'invalid_grant').length };
  });
}

export async function renewal({ browser, worlds, tabs, rounds, runs }) {
  const result = { tabs, rounds, ttlSeconds: RENEWAL_TTL };
  for (const lib of ['ours', 'ots']) {
    const samples = [];
    for (let i = 0; i < runs; i++) samples.push(await once(browser, worlds[lib], tabs, rounds));
    const all = samples.flatMap((s) => s.rounds);
    result[lib] = {
      runs: samples.length,
      roundsObserved: all.length,
      requestsPerRound: summarize(all.map((r) => r.requests), 1),
      invalidGrants: samples.reduce((sum, s) => sum + s.invalidGrants, 0),
      roundsWhereSomeTabNeverHeld: all.filter((r) => r.allTabsHoldMs === null).length,
      allTabsHoldMs: summarize(all.map((r) => r.allTabsHoldMs ?? NaN), 0),
      samples,
    };
  }
  return result;
}
