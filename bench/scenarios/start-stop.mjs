// 1,000 start/stop cycles: what is left behind.
//
// Method: sign in, open the app without monitoring (autostart=0), take a baseline (after CDP
// HeapProfiler.collectGarbage: Runtime.getHeapUsage; the instrumentation's counts of iframes, live
// event listeners per target and type, pending setTimeouts, active setIntervals, open BroadcastChannels; Web
// Locks held/pending). Then `cycles` times — ours: startMonitoring({ userManager }), wait for the first
// check_session reply (iframe loaded and polled), stop(); oidc-client-ts: new UserManager({ monitorSession:
// true }), wait for the first reply, events.unload() (it has no stop/dispose for its SessionMonitor). Wait
// 2 s, garbage-collect, and compare with the baseline. Both libraries run at the same time.
import { openApp, signIn, sleep, withContext } from '../lib/harness.mjs';

async function measure(page, cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const snapshot = await page.evaluate(async () => {
    const s = window.__bench.snapshot();
    const locks = navigator.locks ? await navigator.locks.query() : { held: [], pending: [] };
    return {
      ...s,
      locksHeld: locks.held?.length ?? 0,
      locksPending: locks.pending?.length ?? 0,
      userManagerHandlers: window.bench.userManagerHandlers(),
      frames: window.frames.length,
    };
  });
  return { heapUsed: heap.usedSize, ...snapshot };
}

function diffListeners(before, after) {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const out = {};
  for (const key of keys) {
    const d = (after[key] ?? 0) - (before[key] ?? 0);
    if (d !== 0) out[key] = d;
  }
  return out;
}

export async function startStop({ browser, worlds, cycles, interval }) {
  const one = (lib) =>
    withContext(browser, async (context) => {
      const page = await context.newPage();
      await signIn(page, worlds[lib].app, { interval, autostart: 0 });
      await openApp(page, worlds[lib].app, { interval, autostart: 0 });
      const cdp = await context.newCDPSession(page);
      // One warm-up cycle so that discovery, module and JIT caches are not counted as growth.
      await page.evaluate(() => window.bench.cycles(1));
      await sleep(500);
      const before = await measure(page, cdp);
      const run = await page.evaluate((n) => window.bench.cycles(n), cycles);
      await sleep(2000);
      const after = await measure(page, cdp);
      const listeners = diffListeners(before.listeners, after.listeners);
      const windowMessage = (after.listeners['window message'] ?? 0) - (before.listeners['window message'] ?? 0);
      return {
        failures: run.failures,
        durationMs: Math.round(run.ms),
        left: {
          iframes: after.iframes - before.iframes,
          windowMessageListeners: windowMessage,
          windowAndDocumentListeners: Object.entries(listeners)
            .filter(([k]) => k.startsWith('window ') || k.startsWith('document '))
            .reduce((a, [, v]) => a + v, 0),
          timeouts: after.timeouts - before.timeouts,
          intervals: after.intervals - before.intervals,
          broadcastChannels: after.channels - before.channels,
          locksHeld: after.locksHeld - before.locksHeld,
          locksPending: after.locksPending - before.locksPending,
          userManagerHandlers: after.userManagerHandlers - before.userManagerHandlers,
        },
        listenersByTarget: listeners,
        heapGrowthKiB: Number(((after.heapUsed - before.heapUsed) / 1024).toFixed(1)),
        heapGrowthBytesPerCycle: Math.round((after.heapUsed - before.heapUsed) / cycles),
        before,
        after,
      };
    });
  // Both libraries at once, in separate contexts: these are counts, not timings.
  const [ours, ots] = await Promise.all([one('ours'), one('ots')]);
  return { cycles, interval, ours, ots };
}
