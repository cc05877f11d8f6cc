// Builds the React example and serves the build (the same static server as the Vite example, with `/config.json`).
// Used by e2e/react.spec.ts and by people:
//
//   npm run build && node examples/react/server.mjs     builds into examples/react/dist, then the mock OP on :4000
//                                                       and the app on :3005 (OP_PORT, PORT, IDLE_TIMEOUT)
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSpaServer } from '../spa/server.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * Runs `vite build` for this example into `outDir`.
 * @param {{ outDir?: string }} [options]
 */
export async function buildReactApp({ outDir = join(here, 'dist') } = {}) {
  const { build } = await import('vite');
  await build({ configFile: join(here, 'vite.config.mjs'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}

/** The client registration of this example at an OP. */
export function reactClient(clientId, origin) {
  return {
    client_id: clientId,
    redirect_uris: [`${origin}/callback.html`, `${origin}/silent.html`],
    post_logout_redirect_uris: [`${origin}/signed-out.html`],
  };
}

export { startSpaServer as startReactServer };

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { startMockOp } = await import('../../dist/mock-op/index.js');
  const dir = await buildReactApp();
  const app = await startSpaServer({ dir, port: Number(process.env.PORT ?? 3005) });
  const op = await startMockOp({ port: Number(process.env.OP_PORT ?? 4000), clients: [reactClient('react', app.origin)] });
  const idleTimeout = Number(process.env.IDLE_TIMEOUT ?? 60_000);
  app.configure({ authority: op.url, client_id: 'react', interval: 2000, ...(idleTimeout > 0 ? { idle: { timeout: idleTimeout, warning: Math.floor(idleTimeout / 2) } } : {}) });
  console.log(`\n  Mock OpenID Provider  ${op.url}   (users: alice/alice, bob/bob)\n  React example         ${app.origin}/\n\n  Ctrl+C stops both.\n`);
  const stop = async () => {
    await Promise.all([app.close(), op.close()]);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
