// The packaging gate: tests the packed tarball itself, the exact artifact a user installs.
//
//   npm run build && npm run check:package      (KEEP_PACKAGE_CHECK=1 keeps the temporary folder)
//
// 1. `npm pack` (of the dist/ already built: its `prepack` build is skipped) into a temporary folder; every file package.json points to is in it, and nothing else
//    (no sources, no stale chunks of an earlier build);
// 2. publint --strict and @arethetypeswrong/cli --profile esm-only on the tarball;
// 3. the API report (etc/*.api.md) matches the tarball's declarations;
// 4. the tarball installed into a new project (from npm's cache where it can), then
//    - `oidc-session-monitor` bundled for the browser by rollup + node-resolve, with nothing of Node in it,
//      and `oidc-session-monitor/idle` with it (one registry of monitors for both),
//    - `oidc-session-monitor`, `oidc-session-monitor/idle` and `oidc-session-monitor/react` imported by Node
//      (server-side rendering must not crash on import); `/react` imports the other entries, not copies of them,
//    - the script-tag build run in a bare JavaScript realm: it defines the global `OidcSessionMonitor`,
//    - `oidc-session-monitor/mock-op` started in Node, its discovery fetched, closed; its CLI answers --help,
//    - a TypeScript consumer of every entry type-checked (moduleResolution nodenext and bundler).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import resolve from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import { runApiReport } from './api-report.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** What the public entries must export, exactly (a new export also means a new line in etc/*.api.md). */
const ESM_EXPORTS = [
  'ErrorCode',
  'MONITOR_EVENTS',
  'OidcSessionMonitorError',
  'buildLogoutUrl',
  'handleFrontChannelLogout',
  'handleLogoutCallback',
  'isOidcSessionMonitorError',
  'logout',
  'startMonitoring',
  'startMonitoringWithRecheck',
  'startMonitoringWithSettings',
];
/** What `oidc-session-monitor/idle` and `oidc-session-monitor/react` must export, exactly. */
const IDLE_EXPORTS = ['DEFAULT_ACTIVITY_EVENTS', 'watchIdle'];
const REACT_EXPORTS = ['useSessionMonitor'];
/** React is an optional peer dependency: the consumer project installs it next to the tarball, as an app would. */
const REACT_FOR_CONSUMER = ['react@19.3.1', '@types/react@19.3.0'];
const IIFE_EXPORTS = [...ESM_EXPORTS, 'UserManager', 'WebStorageStateStore'].sort();
/** Strings that must never reach a browser bundle of `oidc-session-monitor`. */
const FORBIDDEN_IN_BROWSER = ['node:', 'createServer', 'process.env', 'jose', 'mock-op'];

class GateError extends Error {}
const fail = (message) => {
  throw new GateError(message);
};

function run(command, args, { cwd = root, input } = {}) {
  const result = spawnSync(command, args, { cwd, input, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
  if (result.error) fail(`${command} ${args.join(' ')} could not start: ${result.error.message}`);
  return { code: result.status ?? 1, stdout: result.stdout ?? '', output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function runOrFail(what, command, args, options) {
  const result = run(command, args, options);
  if (result.code !== 0) fail(`${what} failed:\n${result.output.trim()}`);
  return options?.stdoutOnly ? result.stdout : result.output;
}

function runAsyncOrFail(what, command, args, { cwd = root } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => reject(new GateError(`${what} could not start: ${error.message}`)));
    child.on('close', (code) => (code === 0 ? resolvePromise(output) : reject(new GateError(`${what} failed:\n${output.trim()}`))));
  });
}

async function step(name, body) {
  const started = performance.now();
  const note = await body();
  console.log(`  ok  ${name}${note ? ` — ${note}` : ''} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

/** Relative specifiers of static and dynamic imports in rollup's output (enough for our own build). */
function relativeImports(code) {
  const found = new Set();
  for (const match of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g)) found.add(match[1]);
  return found;
}

/** Every path package.json promises, without "./". */
function promisedFiles() {
  const paths = new Set([pkg.types, pkg.unpkg, pkg.jsdelivr, ...Object.values(pkg.bin ?? {})]);
  const walk = (value) => {
    if (typeof value === 'string') paths.add(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(pkg.exports);
  return [...paths].filter(Boolean).map((path) => path.replace(/^\.\//, ''));
}

function checkContents(files, unpacked) {
  const set = new Set(files);
  const missing = promisedFiles().filter((path) => !set.has(path));
  if (missing.length) fail(`package.json points to files that are not in the tarball: ${missing.join(', ')}`);
  // The mock OP's README ships beside it: the package's README points there for what each profile reproduces.
  if (!set.has('dist/mock-op/README.md')) fail('dist/mock-op/README.md is missing from the tarball (the build copies it from src/mock-op/).');
  const strays = files.filter((path) => !/^(package\.json|README\.md|LICENSE|CHANGELOG\.md|SECURITY\.md|dist\/.+\.(js|js\.map|d\.ts)|dist\/mock-op\/README\.md)$/.test(path));
  if (strays.length) fail(`unexpected files in the tarball (check "files" in package.json): ${strays.join(', ')}`);

  // Every JavaScript file must be reachable from an entry point; anything else is a leftover of an earlier build.
  const entries = promisedFiles().filter((path) => path.endsWith('.js'));
  const reachable = new Set();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.pop();
    if (reachable.has(file) || !set.has(file)) continue;
    reachable.add(file);
    for (const spec of relativeImports(readFileSync(join(unpacked, file), 'utf8'))) queue.push(posix.normalize(posix.join(posix.dirname(file), spec)));
  }
  const stale = files.filter((path) => path.endsWith('.js') && !reachable.has(path));
  if (stale.length) fail(`JavaScript files no entry point imports (a stale dist/? run \`rm -rf dist && npm run build\`): ${stale.join(', ')}`);
  const orphanMaps = files.filter((path) => path.endsWith('.js.map') && !set.has(path.slice(0, -'.map'.length)));
  if (orphanMaps.length) fail(`source maps without their file: ${orphanMaps.join(', ')}`);
  return `${files.length} files`;
}

const work = mkdtempSync(join(tmpdir(), 'oidc-sm-package-'));
const project = join(work, 'project');
const installed = join(project, 'node_modules', pkg.name);
let tarball;

try {
  console.log(`check:package ${pkg.name}@${pkg.version} in ${work}`);
  if (!existsSync(join(root, 'dist', 'index.js'))) fail('dist/ is missing: run `npm run build` first.');

  await step('npm pack', () => {
    // `--ignore-scripts`: the gate checks the dist/ built just before it (`npm test` builds first); `prepack` would
    // build it a second time, for nothing. A fresh clone's own `npm pack` runs it and builds.
    const [info] = JSON.parse(runOrFail('npm pack', 'npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { stdoutOnly: true }));
    tarball = join(work, info.filename);
    const files = info.files.map((file) => file.path).sort();
    mkdirp(join(work, 'unpacked'));
    runOrFail('tar', 'tar', ['-xzf', tarball, '-C', join(work, 'unpacked')]);
    return `${checkContents(files, join(work, 'unpacked', 'package'))}, ${(info.size / 1024).toFixed(0)} KiB packed`;
  });

  await step('publint --strict', () => {
    const output = runOrFail('publint', bin('publint'), ['run', '--strict', tarball]);
    if (!/All good/.test(output)) fail(`publint reported:\n${output.trim()}`);
  });

  await step('attw --profile esm-only', () => {
    // The two script-tag builds are exported as files to copy or link, not modules to import: they have no types.
    const scripts = Object.keys(pkg.exports).filter((key) => key.endsWith('.iife.min.js'));
    runOrFail('@arethetypeswrong/cli', bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-emoji', ...(scripts.length ? ['--exclude-entrypoints', ...scripts] : [])]);
  });

  await step('install the tarball into a new project', () => {
    mkdirp(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }, null, 2));
    // npm's cache already holds every dependency after `npm ci`; --prefer-offline asks the registry only if not.
    runOrFail('npm install', 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', tarball, ...REACT_FOR_CONSUMER], { cwd: project });
    if (!existsSync(join(installed, 'package.json'))) fail('the tarball did not install');
  });

  await step('API report matches the declarations (etc/*.api.md)', () => {
    // The tarball's declarations are dist/types as packed. (api-extractor treats files under node_modules/ as
    // another package's, so it reads them here, not in the consumer project.)
    const changed = runApiReport({ check: true, quiet: true });
    if (changed.length) {
      fail(
        `the public API changed: ${changed.join(', ')} no longer match the declarations (new versions in .tmp/api-report/).\n` +
          'If the change is intended, run `npm run build && npm run api-report` and commit the updated report.',
      );
    }
  });

  await step("browser bundle of 'oidc-session-monitor' (rollup + node-resolve)", async () => {
    const entry = join(project, 'browser-entry.js');
    writeFileSync(
      entry,
      `import { ${ESM_EXPORTS.join(', ')} } from '${pkg.name}';\n` +
        `import { ${IDLE_EXPORTS.join(', ')} } from '${pkg.name}/idle';\n` +
        `window.sdk = { ${[...ESM_EXPORTS, ...IDLE_EXPORTS].join(', ')} };\n`,
    );
    const warnings = [];
    const bundle = await rollup({
      input: entry,
      plugins: [resolve({ browser: true, rootDir: project })],
      onwarn: (warning) => warnings.push(warning),
    });
    const { output } = await bundle.generate({ format: 'es', inlineDynamicImports: true });
    await bundle.close();
    const unresolved = warnings.filter((w) => w.code === 'UNRESOLVED_IMPORT');
    if (unresolved.length) fail(`unresolved imports in the browser bundle: ${unresolved.map((w) => w.message).join('; ')}`);
    const code = output.map((chunk) => (chunk.type === 'chunk' ? chunk.code : '')).join('\n');
    const leaked = FORBIDDEN_IN_BROWSER.filter((needle) => code.includes(needle));
    if (leaked.length) fail(`the browser bundle contains ${leaked.map((s) => JSON.stringify(s)).join(', ')}`);
    if (!code.includes('signinSilentCallback')) fail('oidc-client-ts was not bundled (the dynamic import did not resolve)');
    // Both entries reach the page's live monitors through one registry module: a copy in each would leave the idle
    // timeout unable to sign the app's monitor out.
    for (const file of ['dist/index.js', 'dist/idle.js']) {
      if (!relativeImports(readFileSync(join(installed, file), 'utf8')).has('./registry.js')) fail(`${file} does not import the shared ./registry.js`);
    }
    return `${(code.length / 1024).toFixed(0)} KiB unminified, oidc-client-ts included`;
  });

  await step("Node imports 'oidc-session-monitor' and the script-tag build defines the global", () => {
    const script = `import * as sdk from '${pkg.name}';\nconsole.log(JSON.stringify(Object.keys(sdk).sort()));\n`;
    writeFileSync(join(project, 'node-import.mjs'), script);
    const keys = JSON.parse(runOrFail('importing the package in Node', process.execPath, ['node-import.mjs'], { cwd: project }).trim());
    if (JSON.stringify(keys) !== JSON.stringify(ESM_EXPORTS)) fail(`'${pkg.name}' exports ${keys.join(', ')}; expected ${ESM_EXPORTS.join(', ')}`);
    writeFileSync(join(project, 'node-import-idle.mjs'), `import * as idle from '${pkg.name}/idle';\nconsole.log(JSON.stringify(Object.keys(idle).sort()));\n`);
    const idleKeys = JSON.parse(runOrFail('importing the idle entry in Node', process.execPath, ['node-import-idle.mjs'], { cwd: project }).trim());
    if (JSON.stringify(idleKeys) !== JSON.stringify(IDLE_EXPORTS)) fail(`'${pkg.name}/idle' exports ${idleKeys.join(', ')}; expected ${IDLE_EXPORTS.join(', ')}`);
    writeFileSync(join(project, 'node-import-react.mjs'), `import * as react from '${pkg.name}/react';\nconsole.log(JSON.stringify(Object.keys(react).sort()));\n`);
    const reactKeys = JSON.parse(runOrFail('importing the React entry in Node', process.execPath, ['node-import-react.mjs'], { cwd: project }).trim());
    if (JSON.stringify(reactKeys) !== JSON.stringify(REACT_EXPORTS)) fail(`'${pkg.name}/react' exports ${reactKeys.join(', ')}; expected ${REACT_EXPORTS.join(', ')}`);
    const reactImports = relativeImports(readFileSync(join(installed, 'dist/react.js'), 'utf8'));
    if (!reactImports.has('./index.js') || !reactImports.has('./idle.js')) fail('dist/react.js does not import ./index.js and ./idle.js (it would carry copies of them)');

    const context = vm.createContext({});
    vm.runInContext(readFileSync(join(installed, pkg.unpkg), 'utf8'), context, { filename: pkg.unpkg });
    const global = Object.keys(context.OidcSessionMonitor ?? {}).sort();
    if (JSON.stringify(global) !== JSON.stringify(IIFE_EXPORTS)) fail(`the global OidcSessionMonitor has ${global.join(', ') || 'nothing'}; expected ${IIFE_EXPORTS.join(', ')}`);

    // The SDK-only script tag loads without oidc-client-ts's global `oidc` (it needs it only when used) and has the
    // package's exports, without oidc-client-ts's.
    const sdkOnly = 'dist/oidc-session-monitor.sdk.iife.min.js';
    const sdkContext = vm.createContext({});
    vm.runInContext(readFileSync(join(installed, sdkOnly), 'utf8'), sdkContext, { filename: sdkOnly });
    const sdkGlobal = Object.keys(sdkContext.OidcSessionMonitor ?? {}).sort();
    if (JSON.stringify(sdkGlobal) !== JSON.stringify([...ESM_EXPORTS].sort())) fail(`${sdkOnly}: the global OidcSessionMonitor has ${sdkGlobal.join(', ') || 'nothing'}; expected ${ESM_EXPORTS.join(', ')}`);
  });

  await step("Node starts the mock OP from 'oidc-session-monitor/mock-op' and runs its CLI", () => {
    const script = `
import { startMockOp } from '${pkg.name}/mock-op';
const op = await startMockOp({ clients: [{ client_id: 'app', redirect_uris: ['http://localhost:3000/callback.html'] }] });
try {
  const discovery = await (await fetch(op.url + '/.well-known/openid-configuration')).json();
  if (discovery.issuer !== op.url) throw new Error('issuer ' + discovery.issuer + ' is not ' + op.url);
  for (const field of ['check_session_iframe', 'end_session_endpoint', 'authorization_endpoint', 'jwks_uri']) {
    if (typeof discovery[field] !== 'string') throw new Error('discovery has no ' + field);
  }
} finally {
  await op.close();
}
console.log('mock OP ok');
`;
    writeFileSync(join(project, 'mock-op.mjs'), script);
    runOrFail('the mock OP from the tarball', process.execPath, ['mock-op.mjs'], { cwd: project });
    const help = runOrFail('oidc-session-monitor-mock-op --help', join(project, 'node_modules', '.bin', 'oidc-session-monitor-mock-op'), ['--help'], { cwd: project });
    if (!/--client/.test(help)) fail(`the CLI's --help does not describe --client:\n${help}`);
  });

  await step('TypeScript consumer of every entry (nodenext and bundler resolution)', async () => {
    writeFileSync(
      join(project, 'consumer.ts'),
      `import { startMonitoringWithSettings, logout, ErrorCode, isOidcSessionMonitorError, type SessionMonitor, type UnavailableReason } from '${pkg.name}';
import { startMockOp, type MockOp } from '${pkg.name}/mock-op';
import { watchIdle, type IdleWatch } from '${pkg.name}/idle';
import { useSessionMonitor, type SessionMonitorSnapshot } from '${pkg.name}/react';
import type { UserManager } from 'oidc-client-ts';

export function useSession(userManager: UserManager, user: { profile: { sub: string } } | null): string {
  const session: SessionMonitorSnapshot = useSessionMonitor({ userManager, user, monitor: { interval: 3000 }, idle: { timeout: 60_000 } });
  return session.unavailable?.reason ?? session.idle?.warning?.remainingMs.toString() ?? session.state;
}

export function idle(userManager: UserManager): IdleWatch {
  const watch = watchIdle({ userManager, timeout: 15 * 60_000, warning: 60_000, logout: { post_logout_redirect_uri: 'https://app.example/bye' } });
  watch.on('warning', ({ remainingMs }: { remainingMs: number }) => console.warn(remainingMs));
  watch.on('timeout', ({ decidedHere }) => console.warn(decidedHere));
  return watch;
}

export function watch(): SessionMonitor {
  const monitor = startMonitoringWithSettings({ authority: 'https://op.example', client_id: 'app', redirect_uri: 'https://app.example/cb', silent_redirect_uri: 'https://app.example/silent' });
  monitor.on('unavailable', ({ reason }: { reason: UnavailableReason }) => console.warn(reason));
  monitor.on('error', ({ error }) => {
    if (isOidcSessionMonitorError(error, ErrorCode.RecheckTimeout)) console.warn(error.code);
  });
  return monitor;
}
export const out: Promise<unknown> = logout({ issuer: 'https://op.example', client_id: 'app' });
export const op: Promise<MockOp> = startMockOp({ clients: [] });
`,
    );
    // Both at once (they take seconds each); the second skips re-checking the .d.ts files the first checked.
    await Promise.all(
      ['nodenext', 'bundler'].map((resolution) =>
        runAsyncOrFail(`tsc (moduleResolution ${resolution})`, process.execPath, [
          join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
          '--noEmit', '--strict', '--target', 'es2022', '--lib', 'es2022,dom',
          '--module', resolution === 'bundler' ? 'preserve' : 'nodenext', '--moduleResolution', resolution,
          '--types', 'node', '--typeRoots', join(root, 'node_modules', '@types'),
          ...(resolution === 'bundler' ? ['--skipLibCheck'] : []),
          'consumer.ts',
        ], { cwd: project }),
      ),
    );
  });

  console.log('check:package: the packed tarball passed every check');
} catch (error) {
  console.error(`\ncheck:package FAILED: ${error instanceof GateError ? error.message : error?.stack ?? error}`);
  process.exitCode = 1;
} finally {
  if (process.env.KEEP_PACKAGE_CHECK) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

function mkdirp(path) {
  spawnSync('mkdir', ['-p', path]);
  if (!existsSync(path) || !existsSync(dirname(path))) fail(`could not create ${path}`);
}
