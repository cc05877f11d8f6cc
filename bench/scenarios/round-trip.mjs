// Poll round trip (post → reply) and main-thread time per poll, in the page.
//
// Method: after sign-in the monitor runs with a long interval (60 s) so that no timer-driven poll interferes.
// The page then sends `polls` polls one after another through each library's own code path — ours
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

export async function roundTrip({ browser, worlds, polls, warmup }) {
  const result = {};
  for (const lib of ['ours', 'ots']) {
    const world = worlds[lib];
    result[lib] = await withContext(browser, async (context) => {
      const page = await context.newPage();
      await signIn(page, world.app, { interval: 60_000 });
      await waitForReplies(page, 1);
      const opBefore = await opFrameTime(page, world.op.url);
      const out = await page.evaluate(({ polls, warmup }) => window.bench.rtt(polls, warmup), { polls, warmup });
      const opAfter = await opFrameTime(page, world.op.url);
      const mainThread = out.postSync.map((v, i) => v + out.handlerSync[i]);
      const opCalls = opBefore && opAfter ? opAfter.calls - opBefore.calls : 0;
      return {
        polls: out.rtt.length,
        statuses: out.statuses,
        rttMs: summarize(out.rtt, 3),
        mainThreadMs: summarize(mainThread, 4),
        postSyncMs: summarize(out.postSync, 4),
        replyHandlerMs: summarize(out.handlerSync, 4),
        opFrameHandlerMsPerPoll: opCalls > 0 ? Number(((opAfter.time - opBefore.time) / opCalls).toFixed(4)) : null,
      };
    });
  }
  return result;
}
