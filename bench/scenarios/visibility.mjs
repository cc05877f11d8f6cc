// A hidden tab becoming visible: time to the next check.
//
// Method: headless Chromium reports every tab as visible, so the page's `document.visibilityState` and
// `document.hidden` are overridden by the bench's init script, and a `visibilitychange` event is dispatched on
// `document`, as a real tab switch does (timers are not throttled by this emulation). Per run: hide, stay
// hidden for 1.2–1.8 intervals (spread evenly over the runs, so the moment falls at every phase of the
// polling cycle), show; the time is from the dispatch of `visibilitychange` (visible)
// to the next check_session reply reaching the page (a check = a poll answered, so this includes the round
// trip). Also counted: polls answered while the tab was hidden.
import { signIn, sleep, waitForReplies, withContext } from '../lib/harness.mjs';
import { summarize } from '../lib/stats.mjs';

export async function visibility({ browser, worlds, runs, interval }) {
  const result = { interval };
  for (const lib of ['ours', 'ots']) {
    result[lib] = await withContext(browser, async (context) => {
      const page = await context.newPage();
      await signIn(page, worlds[lib].app, { interval });
      await waitForReplies(page, 1);
      await sleep(interval);
      const samples = [];
      for (let i = 0; i < runs; i++) {
        const before = await page.evaluate(() => {
          window.__bench.setVisibility('hidden');
          return window.__bench.replies.length;
        });
        await sleep(Math.round(interval * (1.2 + (0.6 * (i + 0.5)) / runs)));
        const sample = await page.evaluate(
          async ({ before, timeout }) => {
            const B = window.__bench;
            const hiddenPolls = B.replies.length - before;
            const reply = B.nextReply(timeout);
            const t0 = B.setVisibility('visible');
            const record = await reply;
            return { ms: record.p - t0, hiddenPolls };
          },
          { before, timeout: interval * 3 + 5000 },
        );
        samples.push(sample);
        await sleep(Math.round(interval * 0.3));
      }
      return {
        runs: samples.length,
        toNextCheckMs: summarize(samples.map((s) => s.ms), 1),
        pollsWhileHidden: summarize(samples.map((s) => s.hiddenPolls), 1),
        samples,
      };
    });
  }
  return result;
}
