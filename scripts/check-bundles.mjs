#!/usr/bin/env node
// The size budget and forbidden-string check of the browser bundles (DESIGN.md, "Performance and reliability
// targets"). It builds nothing: it reads dist/ (run `npm run build` first).
//
// - the bundles an app downloads (bench/lib/bundles.mjs, BUDGETED): `startMonitoring` with a `UserManager`,
//   monitoring + logout + its callback, the whole API (each a one-line entry bundled by rollup + terser, oidc-client-ts
//   external), and the two script-tag builds as built; min+gzip (node:zlib level 9), in bytes.
//   Each has its budget, which the SDK misses today — reported on every run and in BENCHMARKS.md, with the measured
//   floor — and a ceiling just above today's size, which fails the build, so that a size can only shrink.
//   Lower a ceiling whenever the code gets smaller; never raise it without saying why in the commit.
// - no bundle in dist/ (other than the Node-only dist/mock-op) may contain a postMessage with a '*'
//   targetOrigin, console.log / console.debug, or a debugger statement.
//
// Exit code 1 on any failure, with a message saying which.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BUDGETED, browserBundles, forbiddenHits, requireDist, sizes } from '../bench/lib/bundles.mjs';
import { ROOT } from '../bench/lib/env.mjs';

try {
  requireDist();
} catch (error) {
  console.error(`check-bundles: ${error.message}`);
  process.exit(1);
}

const failures = [];
const rows = [];
const bytes = (n) => `${n.toLocaleString('en-US')} B`;
for (const { what, budget, ceiling, code } of BUDGETED) {
  const size = sizes(await code());
  const ok = size.gzip <= ceiling;
  const verdict = size.gzip <= budget ? 'meets its budget' : `misses its budget by ${bytes(size.gzip - budget)}`;
  rows.push([what, bytes(size.min), bytes(size.gzip), bytes(budget), bytes(ceiling), ok ? `ok, ${verdict}` : 'OVER THE CEILING']);
  if (!ok) failures.push(`${what}: ${bytes(size.gzip)} min+gzip is over its ceiling of ${bytes(ceiling)} by ${bytes(size.gzip - ceiling)}.`);
}

// Pay only for what you import: an app monitoring with its own UserManager gets neither discovery nor the on-demand
// loader of oidc-client-ts (startMonitoringWithSettings' integration).
const userManagerOnly = await BUDGETED.find((bundle) => bundle.id === 'user-manager').code();
for (const [what, marker] of [
  ['discovery', '/.well-known/openid-configuration'],
  ["the on-demand import('oidc-client-ts')", 'import('],
]) {
  if (userManagerOnly.includes(marker)) failures.push(`the startMonitoring + UserManager bundle contains ${what} (${JSON.stringify(marker)}): an integration it does not use.`);
}

const header = ['bundle', 'min', 'min+gzip', 'budget', 'ceiling', ''];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
console.log(line(header));
for (const row of rows) console.log(line(row));

const scanned = browserBundles();
const hits = forbiddenHits();
console.log(`\nforbidden strings: ${hits.length === 0 ? 'none' : hits.length} in ${scanned.length} bundle(s): ${scanned.map((f) => relative(ROOT, f)).join(', ')}`);
for (const hit of hits) failures.push(`${hit.file}: ${hit.what}: …${hit.excerpt}…`);

if (failures.length > 0) {
  console.error(`\ncheck-bundles FAILED (min+gzip, gzip level 9):`);
  for (const failure of failures) console.error(`  - ${failure}`);
  process.exit(1);
}
console.log('\ncheck-bundles: every bundle is under its ceiling and clean (budgets: see the last column).');
