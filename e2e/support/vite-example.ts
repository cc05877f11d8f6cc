import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockOp, type MockOp, type MockOpClient } from '../../src/mock-op/index.js';
import { scriptTagClient, startScriptTagApp, type ScriptTagApp } from '../../examples/script-tag/server.mjs';
import { test } from './engine.js';

/** What a spec of a Vite example works with in each test: the example, the other app of single sign-on, the OP. */
export interface ViteExampleWorld<App> {
  app: App;
  other: ScriptTagApp;
  op: MockOp;
}

interface ExampleServer {
  origin: string;
  configure(config: { authority: string; client_id: string; interval: number }): void;
  close(): Promise<void>;
}

/**
 * The fixtures of a spec that drives one Vite example (examples/spa, examples/react): the example must type-check
 * against the package's declarations and build (once per spec file); each test then serves it, polling every
 * second, beside the script-tag app (the other app at the OP, for single sign-on) at a fresh mock OP.
 */
export function useViteExample<App extends ExampleServer>(example: {
  /** The example's folder, e.g. `examples/spa`. */
  dir: string;
  clientId: string;
  build(options: { outDir: string }): Promise<unknown>;
  start(options: { dir: string }): Promise<App>;
  client(clientId: string, origin: string): MockOpClient;
}): ViteExampleWorld<App> {
  const world = {} as ViteExampleWorld<App>;
  let outDir: string;

  test.beforeAll(async () => {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', example.dir, '--noEmit'], { stdio: 'pipe' });
    outDir = mkdtempSync(join(tmpdir(), `oidc-sm-${example.clientId}-`));
    await example.build({ outDir });
  });

  test.afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  test.beforeEach(async () => {
    world.app = await example.start({ dir: outDir });
    world.other = await startScriptTagApp();
    world.op = await startMockOp({ clients: [example.client(example.clientId, world.app.origin), scriptTagClient('other', world.other.origin)] });
    world.app.configure({ authority: world.op.url, client_id: example.clientId, interval: 1000 });
    world.other.configure({ authority: world.op.url, client_id: 'other', interval: 60_000 });
  });

  test.afterEach(async () => {
    await Promise.all([world.app.close(), world.other.close(), world.op.close()]);
  });

  return world;
}
