// @vitest-environment node
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// `npm pack` and `npm publish` on a fresh clone (no dist/) must not make an empty package: npm runs `prepack` first.

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string>; files: string[] };
const gate = readFileSync(new URL('../scripts/check-package.mjs', import.meta.url), 'utf8');

describe('packing', () => {
  it('builds dist/ before npm pack and npm publish (prepack), since the package is made of dist/', () => {
    expect(pkg.files).toContain('dist');
    expect(pkg.scripts.prepack).toBe('npm run build');
  });

  it("ships the mock OP's README, where the package's README points (dist/mock-op/README.md)", () => {
    expect(pkg.scripts.build).toMatch(/copyFileSync\('src\/mock-op\/README\.md','dist\/mock-op\/README\.md'\)/);
    expect(gate).toContain("if (!set.has('dist/mock-op/README.md')) fail(");
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain('`node_modules/oidc-session-monitor/dist/mock-op/README.md` in the installed package');
  });

  it('the packaging gate and the README spec pack the dist/ already built, without building it again', () => {
    expect(gate).toMatch(/'pack', '--json', '--ignore-scripts'/);
    // The README spec packs while other specs use dist/: a prepack build would remove it under them.
    expect(readFileSync(new URL('../e2e/readme-app.spec.ts', import.meta.url), 'utf8')).toMatch(/'pack', '--json', '--ignore-scripts'/);
    expect(gate).toContain("if (!existsSync(join(root, 'dist', 'index.js'))) fail(");
  });
});
