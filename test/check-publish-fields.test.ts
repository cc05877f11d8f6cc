// @vitest-environment node
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `npm publish` runs scripts/check-publish-fields.mjs first (prepublishOnly): without repository, homepage and bugs
// it must refuse, naming what is missing.

const script = fileURLToPath(new URL('../scripts/check-publish-fields.mjs', import.meta.url));
function run(pkg: object): { code: number; output: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'publish-fields-')), 'package.json');
  writeFileSync(file, JSON.stringify(pkg));
  try {
    return { code: 0, output: execFileSync(process.execPath, [script, file], { encoding: 'utf8', stdio: 'pipe' }) };
  } catch (error) {
    const failed = error as { status: number; stderr: string };
    return { code: failed.status, output: failed.stderr };
  }
}

describe('prepublishOnly', () => {
  it('is what npm publish runs first', async () => {
    const { default: pkg } = await import('../package.json', { with: { type: 'json' } });
    expect(pkg.scripts.prepublishOnly).toBe('node scripts/check-publish-fields.mjs');
  });

  it('refuses a package.json without repository, homepage or bugs, naming them', () => {
    expect(run({ name: 'x' })).toEqual({ code: 1, output: expect.stringContaining('has no repository, homepage, bugs') });
    expect(run({ name: 'x', repository: 'git+https://example.com/x.git', homepage: 'https://example.com/x' })).toEqual({ code: 1, output: expect.stringContaining('has no bugs') });
  });

  it('lets a complete one through', () => {
    expect(run({ name: 'x', repository: 'git+https://example.com/x.git', homepage: 'https://example.com/x', bugs: 'https://example.com/x/issues' }).code).toBe(0);
  });
});
