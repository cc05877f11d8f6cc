// Bundle sizes, computed in memory from dist/ (nothing is written): minified, gzip and brotli bytes.
// Used by the benchmark report and by scripts/check-bundles.mjs (the size budget).
//
// - minified: rollup (ESM output, dynamic imports inlined) + terser with the settings of the package's own
//   script-tag build (`@rollup/plugin-terser`, `format.comments: false`); files that are already minified
//   (the script-tag build, oidc-client-ts's browser build) are taken as they are;
// - gzip: node:zlib gzip at level 9; brotli: node:zlib brotli at quality 11, text mode.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { rollup } from 'rollup';
import { minify } from 'terser';
import { ROOT } from './env.mjs';

export const DIST = join(ROOT, 'dist');
export const ESM_ENTRY = join(DIST, 'index.js');
export const IIFE = join(DIST, 'oidc-session-monitor.iife.min.js');

/** 1 KB = 1024 bytes throughout. */
export const KB = 1024;

export function sizes(code) {
  const buffer = Buffer.from(code);
  return {
    min: buffer.length,
    gzip: gzipSync(buffer, { level: 9 }).length,
    brotli: brotliCompressSync(buffer, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: buffer.length },
    }).length,
  };
}

const ENTRY_ID = '\0bench-size-entry';

/**
 * Bundles and minifies `entry` (a file path, or `{ code }` of a virtual entry module) into one ESM chunk.
 * With `bundleOidcClientTs: false` oidc-client-ts stays an external import (the app's bundler resolves it).
 */
export async function minifiedBundle(entry, { bundleOidcClientTs }) {
  const virtual = typeof entry === 'object';
  const bundle = await rollup({
    input: virtual ? ENTRY_ID : entry,
    external: bundleOidcClientTs ? [] : (id) => id === 'oidc-client-ts' || id.startsWith('oidc-client-ts/'),
    plugins: [
      virtual && {
        name: 'bench-size-entry',
        resolveId: (id) => (id === ENTRY_ID ? id : null),
        load: (id) => (id === ENTRY_ID ? entry.code : null),
      },
      bundleOidcClientTs && resolve({ browser: true }),
    ].filter(Boolean),
    treeshake: true,
    onwarn: () => {},
  });
  try {
    const { output } = await bundle.generate({ format: 'es', inlineDynamicImports: true, plugins: [terser({ format: { comments: false } })] });
    return output.filter((chunk) => chunk.type === 'chunk').map((chunk) => chunk.code).join('\n');
  } finally {
    await bundle.close();
  }
}

export const SDK_IIFE = join(DIST, 'oidc-session-monitor.sdk.iife.min.js');
export const IDLE_IIFE = join(DIST, 'oidc-session-monitor.idle.iife.min.js');
const entry = (code) => ({ code: code.replaceAll('PKG', JSON.stringify(ESM_ENTRY)) });

/**
 * The bundles an app downloads, each with its budget (min+gzip bytes, the issue "What an app downloads") and a
 * ceiling just above today's size that `npm run check:bundles` enforces, so that a size can only shrink. An app's
 * view: a one-line entry bundled by rollup + terser with oidc-client-ts external, or a script-tag file as built.
 */
export const BUDGETED = [
  {
    id: 'user-manager',
    what: '`startMonitoring` with a `UserManager`',
    budget: 5120,
    ceiling: 13_698,
    code: () => minifiedBundle(entry('import { startMonitoring } from PKG;\nexport const watch = (userManager) => startMonitoring({ userManager });\n'), { bundleOidcClientTs: false }),
  },
  {
    id: 'monitor-and-logout',
    what: '`startMonitoring` + `logout` + `handleLogoutCallback`',
    budget: 8192,
    ceiling: 17_616,
    code: () => minifiedBundle(entry('export { startMonitoring, logout, handleLogoutCallback } from PKG;\n'), { bundleOidcClientTs: false }),
  },
  { id: 'whole-api', what: 'whole public API', budget: 9216, ceiling: 19_348, code: () => minifiedBundle(entry('export * from PKG;\n'), { bundleOidcClientTs: false }) },
  { id: 'sdk-iife', what: 'SDK-only script-tag build (`oidc-session-monitor.sdk.iife.min.js`)', budget: 8704, ceiling: 19_397, code: () => readFileSync(SDK_IIFE, 'utf8') },
  { id: 'iife', what: 'full script-tag build (`oidc-session-monitor.iife.min.js`, oidc-client-ts inside)', budget: 25_600, ceiling: 36_503, code: () => readFileSync(IIFE, 'utf8') },
  { id: 'idle-iife', what: 'idle timeout script-tag build (`oidc-session-monitor.idle.iife.min.js`, with one of the two above)', budget: 4096, ceiling: 4560, code: () => readFileSync(IDLE_IIFE, 'utf8') },
];

/** What the same measurement gives for the libraries this SDK is compared with. */
const REFERENCES = [
  { id: 'ots-session-monitor', what: "oidc-client-ts's session monitor alone (`SessionMonitor`, with `CheckSessionIFrame`)", code: "export { SessionMonitor } from 'oidc-client-ts';\n" },
  { id: 'oidc-client-ts-esm', what: 'oidc-client-ts whole library (ESM, same rollup + terser)', code: "export * from 'oidc-client-ts';\n" },
  { id: 'keycloak-js', what: 'keycloak-js whole adapter (same rollup + terser)', code: "export { default } from 'keycloak-js';\n" },
];

export function requireDist() {
  const missing = [ESM_ENTRY, IIFE, SDK_IIFE, IDLE_IIFE].filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(`dist/ is incomplete (${missing.map((f) => relative(ROOT, f)).join(', ')} missing): run \`npm run build\` first.`);
  }
}

/** Every row of the size table: the budgeted bundles, then the references. */
export async function allBundleSizes() {
  requireDist();
  const rows = [];
  for (const { id, what, budget, ceiling, code } of BUDGETED) rows.push({ id, what, budget, ceiling, ...sizes(await code()) });
  for (const { id, what, code } of REFERENCES) rows.push({ id, what, reference: true, ...sizes(await minifiedBundle({ code }, { bundleOidcClientTs: true })) });
  return rows;
}

/**
 * What mangling property names at build time could save at most on the `startMonitoring` + `UserManager` bundle:
 * that bundle minified again with terser renaming every property it may (all but DOM and built-in names and
 * quoted keys). An upper bound, not a build: it also renames the public option, event and result names.
 */
export async function manglingBound() {
  const row = BUDGETED.find((b) => b.id === 'user-manager');
  const code = await row.code();
  const mangled = (await minify(code, { module: true, format: { comments: false }, mangle: { properties: { keep_quoted: true } } })).code ?? '';
  return { gzip: sizes(code).gzip, mangledGzip: sizes(mangled).gzip };
}

/**
 * Where the bytes of the `startMonitoring` + `UserManager` bundle come from: the same one-line entry bundled from
 * src/, and each source module's part of it minified (terser, names mangled, no cross-module compression) and
 * gzipped alone. Gzipped together the modules share their dictionary, so the bundle is smaller than the sum.
 */
export async function moduleBreakdown() {
  const id = '\0bench-breakdown-entry';
  const bundle = await rollup({
    input: id,
    external: (dep) => dep === 'oidc-client-ts' || dep.startsWith('oidc-client-ts/'),
    plugins: [
      { name: 'bench-breakdown-entry', resolveId: (dep) => (dep === id ? dep : null), load: (dep) => (dep === id ? `import { startMonitoring } from ${JSON.stringify(join(ROOT, 'src', 'index.ts'))};\nexport const watch = (userManager) => startMonitoring({ userManager });\n` : null) },
      typescript({ tsconfig: join(ROOT, 'tsconfig.json'), include: [join(ROOT, 'src', '**', '*.ts')], compilerOptions: { noEmit: false, declaration: false, removeComments: true, noCheck: true }, noForceEmit: false, outputToFilesystem: false }),
    ],
    onwarn: () => {},
  });
  try {
    const { output } = await bundle.generate({ format: 'es', inlineDynamicImports: true });
    const rows = [];
    for (const [file, module] of Object.entries(output[0].modules)) {
      if (!module.code || !file.startsWith(ROOT)) continue;
      const min = (await minify(module.code, { module: true, compress: false, format: { comments: false } })).code ?? '';
      rows.push({ module: relative(ROOT, file).split(sep).join('/'), min: min.length, gzip: sizes(min).gzip });
    }
    return rows.sort((a, b) => b.gzip - a.gzip);
  } finally {
    await bundle.close();
  }
}

/** Things that must never ship in a browser bundle. */
export const FORBIDDEN = [
  { what: "postMessage with a '*' targetOrigin", pattern: /postMessage\([^)]*["'`]\*["'`]/g },
  { what: 'console.log / console.debug', pattern: /\bconsole\s*\.\s*(?:log|debug)\b/g },
  { what: 'debugger statement', pattern: /\bdebugger\b/g },
];

/** Every JavaScript bundle in dist/ except the Node-only mock OP. */
export function browserBundles() {
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const rel = relative(DIST, path).split(sep).join('/');
      if (rel === 'mock-op' || rel.startsWith('mock-op/')) continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(?:m|c)?js$/.test(name)) out.push(path);
    }
  };
  if (existsSync(DIST)) walk(DIST);
  return out.sort();
}

/** Forbidden-string hits in the browser bundles: `[{ file, what, excerpt }]`. */
export function forbiddenHits() {
  const hits = [];
  for (const file of browserBundles()) {
    const text = readFileSync(file, 'utf8');
    for (const { what, pattern } of FORBIDDEN) {
      for (const match of text.matchAll(pattern)) {
        const start = Math.max(0, match.index - 40);
        hits.push({ file: relative(ROOT, file), what, excerpt: text.slice(start, match.index + match[0].length + 40).replace(/\s+/g, ' ') });
      }
    }
  }
  return hits;
}
