// Poll round trip (post → reply) and main-thread time per poll, in the page.
//
// Method: after sign-in the monitor runs with a long interval (60 s) so that no timer-driven poll interferes.
// Both libraries' pages are open at once, each in its own context. Each first sends `warmup` untimed polls: a
// monitor polls for hours, and what costs a page over that time is the steady state, after the JavaScript engine
// has compiled the code of the poll (the first few hundred polls of either library run in its interpreter). Then
// `polls` polls per library are timed, in `blocks` blocks that alternate between the libraries. Each poll is sent,
// one after another, through each library's own code path — ours
// `monitor.checkNow()` (which posts synchronously when no poll is in flight), oidc-client-ts
// `CheckSessionIFrame.start(session_state)` after `stop()` (start posts synchronously) — and times:
// - round trip: performance.now() just before the call → the reply `message` event reaching the top window
//   (a capture listener registered before any page script);
// - main-thread time (RP side): the synchronous duration of the post call + the synchronous time spent in the
//   page's `message` listeners on window for that reply (they are wrapped at registration), which includes the
//   handlers of every event a library raises synchronously for it. The bench page's own recorder of our per-poll
//   `status` event is detached meanwhile: it is app code, and oidc-client-ts raises no per-poll event;
// - for information, the OP iframe's synchronous `message` handler time (same wrapping inside the OP frame;
//   same-site, so it runs on the same main thread).
import { signIn, waitForReplies, withContext } from '../lib/harness.mjs';
import { summarize } from '../lib/stats.mjs';

async function opFrameTime(page, opUrl) {
  const frame = page.frames().find((f) => f !== page.mainFrame() && f.url().startsWith(opUrl) && f.url().includes('check_session'));
  if (!frame) return undefined;
  return frame.evaluate(() => ({ time: window.__bench?.msgTime ?? 0, calls: window.__bench?.msgCalls ?? 0 })).catch(() => undefined);
}

/** Opens the library's bench app signed in, with its monitor polling every 60 s, and runs `warmup` untimed polls. */
async function prepare(context, world, warmup) {
  const page = await context.newPage();
  await signIn(page, world.app, { interval: 60_000 });
  await waitForReplies(page, 1);
  await page.evaluate((warmup) => window.bench.rtt(0, warmup), warmup);
  return page;
}

export async function roundTrip({ browser, worlds, polls, warmup, blocks }) {
  return withContext(browser, (oursContext) =>
    withContext(browser, async (otsContext) => {
      const pages = { ours: await prepare(oursContext, worlds.ours, warmup), ots: await prepare(otsContext, worlds.ots, warmup) };
      const opBefore = { ours: await opFrameTime(pages.ours, worlds.ours.op.url), ots: await opFrameTime(pages.ots, worlds.ots.op.url) };
      const out = {};
      for (const lib of ['ours', 'ots']) out[lib] = { rtt: [], postSync: [], handlerSync: [], statuses: {} };
      // Blocks alternate between the libraries (ours first in even blocks, oidc-client-ts first in odd ones), so
      // that a slower or faster stretch of the machine falls on both alike.
      const perBlock = Math.ceil(polls / blocks);
      for (let block = 0; block < blocks; block++) {
        for (const lib of block % 2 === 0 ? ['ours', 'ots'] : ['ots', 'ours']) {
          const part = await pages[lib].evaluate((n) => window.bench.rtt(n, 0), perBlock);
          for (const key of ['rtt', 'postSync', 'handlerSync']) out[lib][key].push(...part[key]);
          for (const [status, count] of Object.entries(part.statuses)) out[lib].statuses[status] = (out[lib].statuses[status] ?? 0) + count;
        }
      }
      const result = { blocks, warmup };
      for (const lib of ['ours', 'ots']) {
        const opAfter = await opFrameTime(pages[lib], worlds[lib].op.url);
        const x = out[lib];
        const opCalls = opBefore[lib] && opAfter ? opAfter.calls - opBefore[lib].calls : 0;
        result[lib] = {
          polls: x.rtt.length,
          statuses: x.statuses,
          rttMs: summarize(x.rtt, 3),
          mainThreadMs: summarize(
            x.postSync.map((v, i) => v + x.handlerSync[i]),
            4,
          ),
          postSyncMs: summarize(x.postSync, 4),
          replyHandlerMs: summarize(x.handlerSync, 4),
          opFrameHandlerMsPerPoll: opCalls > 0 ? Number(((opAfter.time - opBefore[lib].time) / opCalls).toFixed(4)) : null,
        };
      }
      return result;
    }),
  );
}
