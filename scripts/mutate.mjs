// `npm run mutate`: StrykerJS once per group of stryker.config.mjs (each incremental, on 2 workers), then MUTATION.md.
// `npm run mutate -- monitor-idle` runs one group; the summary then reads the other group's last report.
import { spawnSync } from 'node:child_process';
import { MUTATE_GROUPS } from '../stryker.config.mjs';

const wanted = process.argv.slice(2);
for (const name of wanted) if (!MUTATE_GROUPS.includes(name)) throw new Error(`unknown group ${name}; groups: ${MUTATE_GROUPS.join(', ')}`);
for (const group of wanted.length ? wanted : MUTATE_GROUPS) {
  console.log(`\n== mutation testing: ${group}`);
  const run = spawnSync('npx', ['stryker', 'run'], { stdio: 'inherit', env: { ...process.env, MUTATE_GROUP: group } });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
const summary = spawnSync(process.execPath, ['scripts/mutation-summary.mjs'], { stdio: 'inherit' });
process.exit(summary.status ?? 1);
