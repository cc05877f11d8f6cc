import { builtinModules } from 'node:module';
import { sep } from 'node:path';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

// Type checking and declarations are tsc's job (`npm run typecheck`, tsconfig.build.json);
// rollup only transpiles and bundles.
const ts = () =>
  typescript({
    tsconfig: './tsconfig.json',
    include: ['src/**/*.ts'],
    compilerOptions: { noEmit: false, declaration: false, sourceMap: true, removeComments: true, noCheck: true },
    noForceEmit: false,
    outputToFilesystem: false,
  });

/**
 * In the SDK-only script tag, the on-demand `import('oidc-client-ts')` (startMonitoringWithSettings) becomes the
 * global `oidc` of oidc-client-ts's own script, with a clear error when that script is missing.
 */
const oidcFromGlobal = () => ({
  name: 'oidc-from-global',
  renderDynamicImport({ targetModuleId }) {
    if (targetModuleId !== 'oidc-client-ts') return null;
    return {
      left: 'Promise.resolve().then(function(){var m=(',
      right:
        ',globalThis.oidc);if(!m||!m.UserManager)throw new Error("oidc-session-monitor.sdk.iife.min.js needs oidc-client-ts\'s script (global oidc) loaded first.");return m})',
    };
  },
});

/** The dist file of a source module that entries share instead of bundling it (see the ESM builds below). */
const SHARED = { 'monitor/registry.ts': './registry.js', 'index.ts': './index.js', 'idle/index.ts': './idle.js' };
const sharedFile = (id) => {
  const path = id.split(sep).join('/');
  for (const [module, file] of Object.entries(SHARED)) if (path.endsWith(`/src/${module}`)) return file;
  return undefined;
};

/**
 * In the idle timeout's own script, the on-demand `import('../index.js')` (RP-initiated logout after the timeout)
 * becomes the global `OidcSessionMonitor` of the main script, with a clear error when that script is missing.
 */
const sdkFromGlobal = () => ({
  name: 'sdk-from-global',
  renderDynamicImport({ targetModuleId }) {
    if (!targetModuleId?.split(sep).join('/').endsWith('/src/index.ts')) return null;
    return {
      left: 'Promise.resolve().then(function(){var m=(',
      right:
        ',globalThis.OidcSessionMonitor);if(!m||!m.logout)throw new Error("oidc-session-monitor.idle.iife.min.js needs oidc-session-monitor.iife.min.js (or .sdk.iife.min.js) loaded first.");return m})',
    };
  },
});

const nodeExternal = (id) => id === 'jose' || id.startsWith('node:') || builtinModules.includes(id);

export default [
  // The browser SDK as ESM: the main entry, and the optional entries (`/idle`, `/react`) each in its own file, so
  // that an app's bundle of the main entry is what it was before they existed. The one module with state they
  // share — the registry of the page's live monitors, which `logout()` and the idle timeout reach — is its own
  // file, imported by all of them, so that it exists once in an app; `/react` imports the other two entries.
  // oidc-client-ts and react stay external: the app's bundler resolves them (oidc-client-ts is only loaded, by a
  // dynamic import, when the SDK has to create a UserManager itself).
  ...Object.entries({ index: 'src/index.ts', idle: 'src/idle/index.ts', react: 'src/react/index.ts', registry: 'src/monitor/registry.ts' }).map(([name, input]) => ({
    input,
    external: (id, _parent, resolved) => id === 'oidc-client-ts' || id === 'react' || (resolved && sharedFile(id) !== undefined && sharedFile(id) !== `./${name}.js`),
    plugins: [ts()],
    output: { dir: 'dist', format: 'es', sourcemap: true, entryFileNames: `${name}.js`, paths: sharedFile },
  })),
  {
    // The drop-in script tag: everything, oidc-client-ts included, behind the global `OidcSessionMonitor`.
    input: 'src/iife.ts',
    plugins: [resolve({ browser: true }), ts()],
    output: {
      file: 'dist/oidc-session-monitor.iife.min.js',
      format: 'iife',
      name: 'OidcSessionMonitor',
      sourcemap: true,
      inlineDynamicImports: true,
      plugins: [terser({ format: { comments: false } })],
    },
  },
  {
    // The SDK-only script tag, for pages that already load oidc-client-ts's own script (`dist/browser/
    // oidc-client-ts.min.js`, which defines the global `oidc`): everything of the SDK behind `OidcSessionMonitor`,
    // oidc-client-ts taken from that global.
    input: 'src/index.ts',
    external: ['oidc-client-ts'],
    plugins: [ts(), oidcFromGlobal()],
    output: {
      file: 'dist/oidc-session-monitor.sdk.iife.min.js',
      format: 'iife',
      name: 'OidcSessionMonitor',
      globals: { 'oidc-client-ts': 'oidc' },
      sourcemap: true,
      inlineDynamicImports: true,
      plugins: [terser({ format: { comments: false } })],
    },
  },
  {
    // The idle timeout for script-tag pages, a script of its own (only the pages that use it download it), loaded
    // after one of the two above: `watchIdle` behind the global `OidcSessionMonitorIdle`. It reaches the main script's
    // monitors through the page-wide registry and its `logout` through the global `OidcSessionMonitor`.
    input: 'src/idle/index.ts',
    external: (id) => id === 'oidc-client-ts' || id.split(sep).join('/').endsWith('/src/index.ts'),
    plugins: [ts(), sdkFromGlobal()],
    output: {
      file: 'dist/oidc-session-monitor.idle.iife.min.js',
      format: 'iife',
      name: 'OidcSessionMonitorIdle',
      sourcemap: true,
      plugins: [terser({ format: { comments: false } })],
    },
  },
  {
    // The mock OP (Node only) and its CLI.
    input: { index: 'src/mock-op/index.ts', cli: 'src/mock-op/cli.ts' },
    external: nodeExternal,
    plugins: [ts()],
    output: { dir: 'dist/mock-op', format: 'es', sourcemap: true, entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
  },
];
