// HTTP requests reaching the OP while the session is unchanged, after the OP iframe has loaded.
//
// Method: sign in (login form), let the monitor load the OP iframe and answer its first poll, wait a settling
// second, clear the OP's request log, then count every request the OP receives over `windows` consecutive
// windows of `windowSeconds` each, scaled to per minute. Both libraries run at the same time, each against its
// own mock OP (so the logs cannot mix), at the same interval.
import { signIn, sleep, waitForReplies, withContext } from '../lib/harness.mjs';
import { summarize } from '../lib/stats.mjs';

export async function idleRequests({ browser, worlds, interval, windowSeconds, windows }) {
  const run = (world) =>
    withContext(browser, async (context) => {
      const page = await context.newPage();
      await signIn(page, world.app, { interval });
      await waitForReplies(page, 1);
      await sleep(Math.max(1000, interval));
      const perMinute = [];
      const paths = {};
      let polls = 0;
      for (let w = 0; w < windows; w++) {
        world.op.clearRequests();
        const before = await page.evaluate(() => window.__bench.replies.length);
        await sleep(windowSeconds * 1000);
        const seen = [...world.op.requests];
        polls += (await page.evaluate(() => window.__bench.replies.length)) - before;
        perMinute.push((seen.length * 60) / windowSeconds);
        for (const r of seen) paths[`${r.method} ${r.path}`] = (paths[`${r.method} ${r.path}`] ?? 0) + 1;
      }
      return { perMinute: summarize(perMinute, 2), samples: perMinute, requestsByPath: paths, pollsObserved: polls };
    });
  const [ours, ots] = await Promise.all([run(worlds.ours), run(worlds.ots)]);
  return { interval, windowSeconds, windows, ours, ots };
}
