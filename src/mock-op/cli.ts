#!/usr/bin/env node
/**
 * The mock OP's command line: `oidc-session-monitor-mock-op --port 4000 --client client_id=app,redirect_uri=...`.
 * Prints the issuer URL on stdout (details on stderr) and runs until SIGINT or SIGTERM.
 */
import { writeFileSync } from 'node:fs';
import { USAGE, hostWarning, parseCli } from './cli-args.js';
import type { CliCommand } from './cli-args.js';
import { startMockOp } from './server.js';

async function main(): Promise<void> {
  let command: CliCommand;
  try {
    command = parseCli(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (command.help) {
    process.stdout.write(USAGE);
    return;
  }
  const warning = hostWarning(command.options.host);
  if (warning !== undefined) process.stderr.write(warning);
  let op: Awaited<ReturnType<typeof startMockOp>>;
  try {
    op = await startMockOp(command.options);
  } catch (error) {
    process.stderr.write(`mock-op: ${(error as Error).message}\n`);
    process.exit(error instanceof TypeError ? 2 : 1);
  }
  if (command.certOut !== undefined && op.tls) writeFileSync(command.certOut, op.tls.cert);
  process.stdout.write(`${op.issuer}\n`);
  process.stderr.write(
    `mock OP ready: ${op.issuer}/.well-known/openid-configuration\n` +
      `clients: ${command.options.clients.map((c) => c.client_id).join(', ') || '(none)'}; users: alice/alice, bob/bob unless configured\n`,
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`mock-op: ${signal}, closing\n`);
    op.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void main();
