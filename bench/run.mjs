#!/usr/bin/env node
// `npm run bench`: oidc-session-monitor side by side with oidc-client-ts's own SessionMonitor, in headless
// Chromium against the mock OP, on this machine, in one run; then the runtime scenarios again in headless Firefox
// (informative figures beside Chromium's; the verdicts are Chromium's). Writes BENCHMARKS.md and prints the results
// as JSON on stdout (progress goes to stderr).
//
// Settings (environment variables; defaults in brackets):
//   BENCH_BROWSERS [chromium,firefox]  the engines to run: Chromium (playwright-core) and Firefox ESR (puppeteer-core
//                            over WebDriver BiDi, standard tracking protection). Firefox uses smaller counts: at most
//                            2 runs, 8 `changed` runs, 1 run with 5 tabs (the largest BENCH_TABS count up to 5),
//                            2 × 5 s of idle observation, the logout-elsewhere scenario at 1 s only (the poll round
//                            trip keeps Chromium's counts: it takes seconds); it skips the start/stop cycles (CDP-only
//                            heap figures). About 3 minutes. E.g. `BENCH_BROWSERS=chromium npm run -s bench`
//   BENCH_BUILD [1]          run `npm run build` first, so the bench measures the current src/ (0: use dist/ as is)
//   BENCH_INTERVAL [1000]    poll interval (ms) of the scenarios that use a single interval
//   BENCH_RUNS [4]           repetitions: OP logout elsewhere (per interval and library), cross-tab logout
//                            (per library); the visibility scenario does 2 × BENCH_RUNS
//   BENCH_CHANGED_RUNS [20]  repetitions of the `changed` → signed-out re-check (per library, interleaved)
//   BENCH_TAB_RUNS [2]       repetitions of the prompt=none-per-change scenario (per tab count and library)
//   BENCH_TABS [1,5,10]      tab counts of that scenario
//   BENCH_POLLS [20000]      polls timed for the round trip, per library (after BENCH_WARMUP [2000] untimed ones),
//                            in BENCH_RTT_BLOCKS [10] blocks that alternate between the libraries (a mean at the
//                            100 µs timer resolution needs many samples: ± ~0.3 µs at 20,000)
//   BENCH_RENEWAL_RUNS [2]   runs of the renewal scenario (6 tabs sharing one sign-in), per library, each observing
//                            BENCH_RENEWAL_ROUNDS [5] renewal rounds (3 s apart)
//   BENCH_CYCLES [1000]      start/stop cycles
//   BENCH_IDLE_SECONDS [30]  observation time of the idle-requests scenario, in BENCH_IDLE_WINDOWS [3] windows
//   BENCH_RECHECK_SECONDS [60]  observation time of the re-check mode (an OP without check_session_iframe), in 3
//                            windows, at a recheckInterval of 10 s; BENCH_RUNS focus-after-logout runs
//   BENCH_QUICK=1            small counts everywhere (a smoke test, not a result)
//   BENCH_ONLY=a,b           run only these scenarios (ids: sizes, idle, rtt, elsewhere, changed, tabs,
//                            crosstab, visibility, renewal, recheck, cycles); BENCHMARKS.md is then written only if BENCH_OUTPUT
//                            is set. E.g. `BENCH_ONLY=changed npm run -s bench`
//   BENCH_OUTPUT [BENCHMARKS.md]  where to write the report
//   BENCH_JSON               also write the JSON to this file (stdout gets it anyway; `npm run -s bench` keeps
//                            npm's banner out of stdout)
//
// The counting scenarios (sizes, idle requests, start/stop cycles) run side by side first; every timed scenario
// then runs alone; Firefox's scenarios run after Chromium has closed, one at a time. On this 2-CPU machine the
// default run takes about 10–11 minutes (Chromium alone 7–8).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { allBundleSizes, forbiddenHits, manglingBound, moduleBreakdown } from './lib/bundles.mjs';
import { ROOT, describeEnvironment, launchChromium, packageVersion } from './lib/env.mjs';
import { launchFirefox } from './lib/firefox.mjs';
import { startWorld } from './lib/servers.mjs';
import { renderReport } from './report.mjs';
import { changedToSignedOut } from './scenarios/changed-to-signed-out.mjs';
import { crossTabLogout } from './scenarios/cross-tab-logout.mjs';
import { idleRequests } from './scenarios/idle-requests.mjs';
import { logoutElsewhere } from './scenarios/logout-elsewhere.mjs';
import { promptNoneTabs } from './scenarios/prompt-none-tabs.mjs';
import { recheckMode } from './scenarios/recheck-mode.mjs';
import { RENEWAL_TTL, renewal } from './scenarios/renewal.mjs';
import { roundTrip } from './scenarios/round-trip.mjs';
import { startStop } from './scenarios/start-stop.mjs';
import { visibility } from './scenarios/visibility.mjs';

const env = process.env;
const quick = env.BENCH_QUICK === '1';
const int = (name, normal, small) => {
  const raw = env[name];
  if (raw === undefined || raw === '') return quick ? small : normal;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer; got ${raw}.`);
  return value;
};

const settings = {
  quick,
  interval: int('BENCH_INTERVAL', 1000, 1000),
  runs: int('BENCH_RUNS', 4, 2),
  changedRuns: int('BENCH_CHANGED_RUNS', 20, 4),
  tabRuns: int('BENCH_TAB_RUNS', 2, 1),
  tabCounts: (env.BENCH_TABS ?? (quick ? '1,5' : '1,5,10')).split(',').map(Number),
  polls: int('BENCH_POLLS', 20_000, 400),
  warmup: int('BENCH_WARMUP', 2000, 100),
  rttBlocks: int('BENCH_RTT_BLOCKS', 10, 2),
  cycles: int('BENCH_CYCLES', 1000, 100),
  idleSeconds: int('BENCH_IDLE_SECONDS', 30, 6),
  idleWindows: int('BENCH_IDLE_WINDOWS', 3, 2),
  crossTabTabs: 4,
  renewalRuns: int('BENCH_RENEWAL_RUNS', 2, 1),
  renewalRounds: int('BENCH_RENEWAL_ROUNDS', 5, 3),
  renewalTabs: 6,
  logoutIntervals: [1000, 3000],
  recheckSeconds: int('BENCH_RECHECK_SECONDS', 60, 30),
  recheckPeriod: 10_000,
  recheckGap: 2000,
};
if (settings.interval < 500) throw new TypeError('BENCH_INTERVAL must be at least 500 (the SDK minimum).');
if (settings.tabCounts.some((n) => !Number.isInteger(n) || n < 1)) throw new TypeError('BENCH_TABS must be a comma-separated list of positive integers.');
const BROWSERS = ['chromium', 'firefox'];
const browsers = (env.BENCH_BROWSERS || BROWSERS.join(',')).split(',').map((b) => b.trim()).filter(Boolean);
for (const b of browsers) if (!BROWSERS.includes(b)) throw new TypeError(`BENCH_BROWSERS: unknown browser "${b}"; known: ${BROWSERS.join(', ')}.`);

// Firefox runs the runtime scenarios with smaller counts (a row per scenario beside Chromium's, not a verdict), so
// that it adds about 3 minutes to the default run; a smaller BENCH_* count (or BENCH_QUICK) lowers them too.
const firefoxSettings = {
  ...settings,
  runs: Math.min(settings.runs, 2),
  changedRuns: Math.min(settings.changedRuns, 8),
  tabRuns: 1,
  renewalRuns: 1,
  // One tab count: the largest up to 5 (one tab or many is what the coordination changes).
  tabCounts: [Math.min(5, Math.max(...settings.tabCounts))],
  idleSeconds: Math.min(settings.idleSeconds, 10),
  idleWindows: Math.min(settings.idleWindows, 2),
  logoutIntervals: [settings.logoutIntervals[0]],
  recheckSeconds: Math.min(settings.recheckSeconds, 30),
};

/** Scenarios that cannot run faithfully in Firefox, and why (shown in the report). */
const FIREFOX_SKIPPED = {
  cycles:
    'its garbage collection and heap reading go through the Chrome DevTools Protocol (HeapProfiler.collectGarbage, Runtime.getHeapUsage), which Firefox does not offer; the leftover counts (iframes, listeners, timers) would be the same page code in either engine',
};

const ALL = ['sizes', 'idle', 'rtt', 'elsewhere', 'changed', 'tabs', 'crosstab', 'visibility', 'renewal', 'recheck', 'cycles'];
const only = env.BENCH_ONLY ? env.BENCH_ONLY.split(',').map((s) => s.trim()) : ALL;
for (const id of only) if (!ALL.includes(id)) throw new TypeError(`BENCH_ONLY: unknown scenario "${id}"; known: ${ALL.join(', ')}.`);

const log = (message) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}\n`);
const started = Date.now();

if (env.BENCH_BUILD !== '0') {
  log('npm run build');
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], shell: process.platform === 'win32' });
  if (build.status !== 0) {
    process.stderr.write('bench: `npm run build` failed; fix the build (or run with BENCH_BUILD=0 to measure the existing dist/).\n');
    process.exit(1);
  }
}

// The runtime scenarios, one definition for both engines: each gets a browser, its engine's counts and the worlds.
const RUNTIME = {
  idle: {
    label: 'OP requests while the session is unchanged',
    run: (browser, s, worlds) => idleRequests({ browser, worlds, interval: s.interval, windowSeconds: s.idleSeconds / s.idleWindows, windows: s.idleWindows }),
  },
  cycles: { label: 'start/stop cycles', run: (browser, s, worlds) => startStop({ browser, worlds, cycles: s.cycles, interval: s.interval }) },
  rtt: { label: 'poll round trip', run: (browser, s, worlds) => roundTrip({ browser, worlds, polls: s.polls, warmup: s.warmup, blocks: s.rttBlocks }) },
  elsewhere: { label: 'OP logout in another app', run: (browser, s, worlds) => logoutElsewhere({ browser, worlds, intervals: s.logoutIntervals, runs: s.runs }) },
  changed: { label: '`changed` answer → signed out', run: (browser, s, worlds) => changedToSignedOut({ browser, worlds, runs: s.changedRuns, interval: s.interval }) },
  tabs: {
    label: 'prompt=none per OP session change with N tabs',
    run: (browser, s, worlds) => promptNoneTabs({ browser, worlds, tabCounts: s.tabCounts, runs: s.tabRuns, interval: s.interval }),
  },
  crosstab: { label: 'logout in one tab → other tabs', run: (browser, s, worlds) => crossTabLogout({ browser, worlds, tabs: s.crossTabTabs, runs: s.runs, interval: s.interval }) },
  visibility: { label: 'hidden tab becomes visible', run: (browser, s, worlds) => visibility({ browser, worlds, runs: 2 * s.runs, interval: s.interval }) },
  // Worlds of its own: rotating refresh tokens and short-lived access tokens.
  renewal: { label: 'token renewal, 6 tabs sharing one sign-in', run: (browser, s) => renewal({ browser, worlds: renewalWorlds, tabs: s.renewalTabs, rounds: s.renewalRounds, runs: s.renewalRuns }) },
  // Worlds of its own: an OP without check_session_iframe.
  recheck: {
    label: 'OP without check_session_iframe (watching by re-check)',
    run: (browser, s) =>
      recheckMode({ browser, worlds: recheckWorlds, period: s.recheckPeriod, gap: s.recheckGap, windowSeconds: s.recheckSeconds / 3, windows: 3, runs: s.runs, noEventMs: 10_000 }),
  },
};
const TIMED = ['rtt', 'elsewhere', 'changed', 'tabs', 'crosstab', 'visibility', 'renewal', 'recheck'];

/** Runs one scenario into `into` (`{ results, errors }`); a failure is recorded, not thrown. */
async function scenario(into, id, label, fn) {
  if (!only.includes(id)) return;
  log(`${label}…`);
  const t = Date.now();
  try {
    into.results[id] = await fn();
    into.results[id].elapsedSeconds = Math.round((Date.now() - t) / 1000);
  } catch (error) {
    into.errors[id] = error instanceof Error ? `${error.message}` : String(error);
    log(`${label} FAILED: ${into.errors[id]}`);
  }
}

const chromium = { results: {}, errors: {} };
const worlds = { ours: await startWorld('ours'), ots: await startWorld('ots') };
// The start/stop cycles run beside the idle-request count, so they get OPs of their own.
const cycleWorlds = only.includes('cycles') && browsers.includes('chromium') ? { ours: await startWorld('ours'), ots: await startWorld('ots') } : undefined;
const renewalWorlds = only.includes('renewal')
  ? { ours: await startWorld('ours', { refreshTokens: true, idTokenTtlSeconds: RENEWAL_TTL }), ots: await startWorld('ots', { refreshTokens: true, idTokenTtlSeconds: RENEWAL_TTL }) }
  : undefined;
const recheckWorlds = only.includes('recheck')
  ? { ours: await startWorld('ours', { profile: 'node-oidc-provider-7' }), ots: await startWorld('ots', { profile: 'node-oidc-provider-7' }) }
  : undefined;
let environment;
let firefox;

try {
  if (browsers.includes('chromium')) {
    const { browser, executablePath } = await launchChromium();
    environment = describeEnvironment(browser, executablePath);
    const run = (id, w = worlds) => scenario(chromium, id, RUNTIME[id].label, () => RUNTIME[id].run(browser, settings, w));
    try {
      // Counts, not timings: these three run side by side; the timed scenarios below run one at a time.
      await Promise.all([sizes(), run('idle'), run('cycles', cycleWorlds)]);
      for (const id of TIMED) await run(id);
    } finally {
      await browser.close().catch(() => {});
    }
  } else {
    environment = describeEnvironment();
    await sizes();
  }
  if (browsers.includes('firefox')) firefox = await runFirefox();
} finally {
  await Promise.all([worlds.ours.close(), worlds.ots.close(), cycleWorlds?.ours.close(), cycleWorlds?.ots.close(), renewalWorlds?.ours.close(), renewalWorlds?.ots.close(), recheckWorlds?.ours.close(), recheckWorlds?.ots.close()]).catch(() => {});
}

function sizes() {
  return scenario(chromium, 'sizes', 'bundle sizes', async () => ({ rows: await allBundleSizes(), modules: await moduleBreakdown(), mangling: await manglingBound(), forbidden: forbiddenHits() }));
}

/** The runtime scenarios again in Firefox, one at a time, with Firefox's counts; CDP-only ones are skipped. */
async function runFirefox() {
  const t = Date.now();
  const out = { settings: firefoxSettings, results: {}, errors: {}, skipped: {} };
  for (const [id, reason] of Object.entries(FIREFOX_SKIPPED)) if (only.includes(id)) out.skipped[id] = reason;
  let browser;
  try {
    const launched = await launchFirefox();
    browser = launched.browser;
    out.environment = { firefox: browser.version(), firefoxPath: launched.executablePath, puppeteerCore: packageVersion('puppeteer-core') };
    for (const id of ['idle', ...TIMED]) {
      if (out.skipped[id]) continue;
      await scenario(out, id, `Firefox: ${RUNTIME[id].label}`, () => RUNTIME[id].run(browser, firefoxSettings, worlds));
    }
  } catch (error) {
    out.launchError = error instanceof Error ? error.message : String(error);
    log(`Firefox FAILED: ${out.launchError}`);
  } finally {
    await browser?.close().catch(() => {});
  }
  out.elapsedSeconds = Math.round((Date.now() - t) / 1000);
  return out;
}

const elapsedSeconds = Math.round((Date.now() - started) / 1000);
const report = {
  command: 'npm run bench',
  date: new Date().toISOString(),
  elapsedSeconds,
  settings,
  scenarios: only,
  browsers,
  environment,
  results: chromium.results,
  errors: chromium.errors,
  firefox,
};
const complete = only.length === ALL.length;
const output = env.BENCH_OUTPUT ?? (complete ? 'BENCHMARKS.md' : undefined);
if (output) {
  const path = isAbsolute(output) ? output : join(ROOT, output);
  const { markdown, verdicts } = renderReport(report);
  report.verdicts = verdicts;
  writeFileSync(path, markdown);
  log(`wrote ${path}`);
} else {
  report.verdicts = renderReport(report).verdicts;
  log('partial run (BENCH_ONLY): BENCHMARKS.md left alone; set BENCH_OUTPUT to write a report');
}
log(`done in ${elapsedSeconds} s`);
const json = `${JSON.stringify(report, null, 2)}\n`;
if (env.BENCH_JSON) writeFileSync(isAbsolute(env.BENCH_JSON) ? env.BENCH_JSON : join(ROOT, env.BENCH_JSON), json);
process.stdout.write(json);
const failed = Object.keys(chromium.errors).length > 0 || (firefox && (firefox.launchError || Object.keys(firefox.errors).length > 0));
process.exitCode = failed ? 1 : 0;
