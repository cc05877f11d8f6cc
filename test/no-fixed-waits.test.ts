// @vitest-environment node
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// No test waits a fixed time for something to happen: it waits for the condition (vi.waitFor, expect.poll,
// waitForFunction) or drives fake timers, because a loaded machine is slower than yours (.ci/run runs the unit suite
// a second time under CPU load). A fixed wait may only show that nothing happens, and says so in a comment just
// above it, as may the pace of a loop that waits for a condition or plays a user's activity.

const root = fileURLToPath(new URL('..', import.meta.url));
const FIXED_WAIT = /waitForTimeout\(|new Promise\(\(\w+\) => setTimeout\(\w+, |\bsleep\(\d/;
const SAYS_WHY = /nothing happens|[Pp]ac(e|ing)\b/;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path);
    return /\.(ts|mts|mjs)$/.test(entry.name) ? [path] : [];
  });
}

describe('fixed waits in tests', () => {
  it('each one in test/ and e2e/ says, just above it, that it only shows that nothing happens (or paces a loop)', () => {
    const unexplained: string[] = [];
    for (const file of [...files(join(root, 'test')), ...files(join(root, 'e2e'))]) {
      if (file.endsWith('no-fixed-waits.test.ts')) continue;
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        // The definition of a helper is judged where it is used.
        if (!FIXED_WAIT.test(line) || /^\s*(const|function|async \w+\(ms)/.test(line) || /^\s*async waitForTimeout/.test(line)) return;
        if (!lines.slice(Math.max(0, i - 3), i).some((above) => SAYS_WHY.test(above))) unexplained.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(unexplained).toEqual([]);
  });
});
