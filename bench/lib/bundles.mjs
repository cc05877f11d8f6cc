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
import { rollup } from 'rollup';
import { ROOT } from './env.mjs';

export const DIST = join(ROOT, 'dist');
export const ESM_ENTRY = join(DIST, 'index.js');
export const IIFE = join(DIST, 'oidc-session-monitor.iife.min.js');
export const OIDC_CLIENT_TS_MIN = join(ROOT, 'node_modules', 'oidc-client-ts', 'dist', 'browser', 'oidc-client-ts.min.js');

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

function reexport(names) {
  return { code: `export { ${names.join(', ')} } from ${JSON.stringify(ESM_ENTRY)};\n` };
}

export function requireDist() {
  const missing = [ESM_ENTRY, IIFE].filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(`dist/ is incomplete (${missing.map((f) => relative(ROOT, f)).join(', ')} missing): run \`npm run build\` first.`);
  }
}

/** The ESM entry without oidc-client-ts, minified: what the 4 KB budget is about. */
export async function coreEsm() {
  return minifiedBundle(ESM_ENTRY, { bundleOidcClientTs: false });
}

/** Every row of the size table. */
export async function allBundleSizes() {
  requireDist();
  const rows = [
    { id: 'esm-core', what: 'ESM entry (`dist/index.js`), oidc-client-ts external', code: await coreEsm() },
    { id: 'esm-with-oidc-client-ts', what: 'ESM entry with oidc-client-ts bundled in', code: await minifiedBundle(ESM_ENTRY, { bundleOidcClientTs: true }) },
    { id: 'start-monitoring-only', what: 'only `startMonitoring` imported (tree-shaken), oidc-client-ts external', code: await minifiedBundle(reexport(['startMonitoring']), { bundleOidcClientTs: false }) },
    { id: 'logout-only', what: 'only `logout` imported (tree-shaken), oidc-client-ts external', code: await minifiedBundle(reexport(['logout']), { bundleOidcClientTs: false }) },
    { id: 'iife', what: 'script-tag build `dist/oidc-session-monitor.iife.min.js` (oidc-client-ts inside)', code: readFileSync(IIFE, 'utf8') },
    { id: 'oidc-client-ts-browser', what: 'oidc-client-ts whole library, its own `dist/browser/oidc-client-ts.min.js`', code: readFileSync(OIDC_CLIENT_TS_MIN, 'utf8') },
    { id: 'oidc-client-ts-esm', what: 'oidc-client-ts whole library, ESM through the same rollup + terser', code: await minifiedBundle({ code: "export * from 'oidc-client-ts';\n" }, { bundleOidcClientTs: true }) },
  ];
  return rows.map(({ code, ...row }) => ({ ...row, ...sizes(code) }));
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
