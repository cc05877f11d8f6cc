// Adds lock entries for rollup's platform packages that this registry mirror does not serve, so that `npm ci`
// sees package.json and the lock in sync. Each entry carries os/cpu, so npm skips it on other platforms.
import { readFileSync, writeFileSync } from 'node:fs';
const file = process.argv[2] ?? 'package-lock.json';
const lock = JSON.parse(readFileSync(file, 'utf8'));
const rollup = lock.packages['node_modules/rollup'];
let added = 0;
for (const [name, version] of Object.entries(rollup.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  const m = /^@rollup\/rollup-([a-z0-9]+)-(.+)$/.exec(name);
  const os = m[1];
  const rest = m[2];
  const cpu = rest.startsWith('arm64') ? 'arm64' : rest.startsWith('arm') ? 'arm' : rest.startsWith('x64') ? 'x64' : rest.startsWith('ia32') ? 'ia32' : rest.split('-')[0];
  const entry = { version, cpu: [cpu], dev: true, license: 'MIT', optional: true, os: [os] };
  if (os === 'linux') entry.libc = [rest.includes('musl') ? 'musl' : 'glibc'];
  lock.packages[key] = entry;
  added++;
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`added ${added} entries`);
