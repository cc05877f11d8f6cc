#!/usr/bin/env node
// `npm run bench`: oidc-session-monitor side by side with oidc-client-ts's own SessionMonitor, in headless
// Chromium against the mock OP, on this machine, in one run. Writes BENCHMARKS.md and prints the results as
// JSON on stdout (progress goes to stderr).
//
// Settings (environment variables; defaults in brackets):
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
//   BENCH_CYCLES [1000]      start/stop cycles
//   BENCH_IDLE_SECONDS [30]  observation time of the idle-requests scenario, in BENCH_IDLE_WINDOWS [3] windows
//   BENCH_QUICK=1            small counts everywhere (a smoke test, not a result)
//   BENCH_ONLY=a,b           run only these scenarios (ids: sizes, idle, rtt, elsewhere, changed, tabs,
//                            crosstab, visibility, cycles); BENCHMARKS.md is then written only if BENCH_OUTPUT
//                            is set. E.g. `BENCH_ONLY=changed npm run -s bench`
//   BENCH_OUTPUT [BENCHMARKS.md]  where to write the report
//   BENCH_JSON               also write the JSON to this file (stdout gets it anyway; `npm run -s bench` keeps
//                            npm's banner out of stdout)
//
// The counting scenarios (sizes, idle requests, start/stop cycles) run side by side first; every timed scenario
// then runs alone. On this 2-CPU machine the default run takes about 7–8 minutes.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { allBundleSizes, forbiddenHits, manglingBound, moduleBreakdown } from './lib/bundles.mjs';
import { ROOT, describeEnvironment, launchChromium } from './lib/env.mjs';
import { startWorld } from './lib/servers.mjs';
import { renderReport } from './report.mjs';
import { changedToSignedOut } from './scenarios/changed-to-signed-out.mjs';
import { crossTabLogout } from './scenarios/cross-tab-logout.mjs';
import { idleRequests } from './scenarios/idle-requests.mjs';
import { logoutElsewhere } from './scenarios/logout-elsewhere.mjs';
import { promptNoneTabs } from './scenarios/prompt-none-tabs.mjs';
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
  logoutIntervals: [1000, 3000],
};
if (settings.interval < 500) throw new TypeError('BENCH_INTERVAL must be at least 500 (the SDK minimum).');
if (settings.tabCounts.some((n) => !Number.isInteger(n) || n < 1)) throw new TypeError('BENCH_TABS must be a comma-separated list of positive integers.');

const ALL = ['sizes', 'idle', 'rtt', 'elsewhere', 'changed', 'tabs', 'crosstab', 'visibility', 'cycles'];
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

const { browser, executablePath } = await launchChromium();
const environment = describeEnvironment(browser, executablePath);
const worlds = { ours: await startWorld('ours'), ots: await startWorld('ots') };
// The start/stop cycles run beside the idle-request count, so they get OPs of their own.
const cycleWorlds = only.includes('cycles') ? { ours: await startWorld('ours'), ots: await startWorld('ots') } : undefined;
const results = {};
const errors = {};

async function scenario(id, label, fn) {
  if (!only.includes(id)) return;
  log(`${label}…`);
  const t = Date.now();
  try {
    results[id] = await fn();
    results[id].elapsedSeconds = Math.round((Date.now() - t) / 1000);
  } catch (error) {
    errors[id] = error instanceof Error ? `${error.message}` : String(error);
    log(`${label} FAILED: ${errors[id]}`);
  }
}

try {
  // Counts, not timings: these three run side by side; the timed scenarios below run one at a time.
  await Promise.all([
    scenario('sizes', 'bundle sizes', async () => ({ rows: await allBundleSizes(), modules: await moduleBreakdown(), mangling: await manglingBound(), forbidden: forbiddenHits() })),
    scenario('idle', 'OP requests while the session is unchanged', () =>
      idleRequests({ browser, worlds, interval: settings.interval, windowSeconds: settings.idleSeconds / settings.idleWindows, windows: settings.idleWindows }),
    ),
    scenario('cycles', 'start/stop cycles', () => startStop({ browser, worlds: cycleWorlds, cycles: settings.cycles, interval: settings.interval })),
  ]);
  await scenario('rtt', 'poll round trip', () => roundTrip({ browser, worlds, polls: settings.polls, warmup: settings.warmup, blocks: settings.rttBlocks }));
  await scenario('elsewhere', 'OP logout in another app', () => logoutElsewhere({ browser, worlds, intervals: settings.logoutIntervals, runs: settings.runs }));
  await scenario('changed', '`changed` answer → signed out', () =>
    changedToSignedOut({ browser, worlds, runs: settings.changedRuns, interval: settings.interval }),
  );
  await scenario('tabs', 'prompt=none per OP session change with N tabs', () =>
    promptNoneTabs({ browser, worlds, tabCounts: settings.tabCounts, runs: settings.tabRuns, interval: settings.interval }),
  );
  await scenario('crosstab', 'logout in one tab → other tabs', () =>
    crossTabLogout({ browser, worlds, tabs: settings.crossTabTabs, runs: settings.runs, interval: settings.interval }),
  );
  await scenario('visibility', 'hidden tab becomes visible', () => visibility({ browser, worlds, runs: 2 * settings.runs, interval: settings.interval }));
} finally {
  await browser.close().catch(() => {});
  await Promise.all([worlds.ours.close(), worlds.ots.close(), cycleWorlds?.ours.close(), cycleWorlds?.ots.close()]).catch(() => {});
}

const elapsedSeconds = Math.round((Date.now() - started) / 1000);
const report = {
  command: 'npm run bench',
  date: new Date().toISOString(),
  elapsedSeconds,
  settings,
  scenarios: only,
  environment,
  results,
  errors,
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
process.exitCode = Object.keys(errors).length > 0 ? 1 : 0;
