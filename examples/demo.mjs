// `npm start`: the mock OP plus demo apps A and B on fixed localhost ports, so a person can watch
// session monitoring and logout work. Stop with Ctrl+C.
import { startDemo } from './demo-server.mjs';

import { parseArgs } from 'node:util';
import { MOCK_OP_PROFILES } from '../dist/mock-op/index.js';

// `npm start -- --profile wso2` or `OP_PROFILE=wso2 npm start`: the mock OP plays that OP on the wire.
const { values } = parseArgs({ options: { profile: { type: 'string' } }, strict: true });
const profile = values.profile ?? process.env.OP_PROFILE ?? 'spec';
if (!MOCK_OP_PROFILES.includes(profile)) {
  console.error(`Unknown profile "${profile}": use one of ${MOCK_OP_PROFILES.join(', ')}.`);
  process.exit(2);
}
const port = (name, fallback) => Number(process.env[name] ?? fallback);
// The idle timeout is short so that its warning shows soon: IDLE_TIMEOUT=0 turns it off.
const idleTimeout = port('IDLE_TIMEOUT', 120_000);
const idle = idleTimeout > 0 ? { timeout: idleTimeout, warning: Math.min(30_000, Math.floor(idleTimeout / 2)) } : undefined;
const demo = await startDemo({ opPort: port('OP_PORT', 4000), aPort: port('A_PORT', 3001), bPort: port('B_PORT', 3002), profile, ...(idle ? { idle } : {}) });

console.log(`
  Mock OpenID Provider  ${demo.op.url}   (profile ${profile}; users: alice/alice, bob/bob)
  Demo app A            ${demo.a.origin}/
  Demo app B            ${demo.b.origin}/

  Try it: sign in to A; sign in to B (single sign-on, no form): A sees "changed", re-checks
  silently and stays signed in. Sign out in B: A notices and signs out.
${idle ? `  Idle timeout: ${idle.timeout / 1000} s without activity in any tab of an app signs it out, with a
  ${idle.warning / 1000} s countdown first ("Stay signed in" in any tab keeps all of them). IDLE_TIMEOUT=0 turns it off.
` : ''}  Ctrl+C stops everything.
`);

const shutdown = async () => {
  await demo.close();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
