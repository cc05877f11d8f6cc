import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect, test } from '../support/engine.js';

// The built CLI, exactly as `npx oidc-session-monitor-mock-op` runs it (the e2e suite runs after `npm run build`).
const CLI = fileURLToPath(new URL('../../dist/mock-op/cli.js', import.meta.url));

/** Starts the CLI with `args`; resolves once it has printed its issuer. */
async function startCli(args: string[]): Promise<{ child: ChildProcessByStdio<null, Readable, Readable>; issuer: string; stderr(): string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let stdout = '';
  child.stdout.setEncoding('utf8');
  try {
    const issuer = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        const line = stdout.split('\n').find((l) => l.startsWith('http'));
        if (line) resolve(line.trim());
      });
      child.once('exit', (code) => reject(new Error(`CLI exited early with ${code}: ${stderr}`)));
    });
    return { child, issuer, stderr: () => stderr };
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw error;
  }
}

/** Sends `signal` to the CLI and resolves with its exit code. */
async function exitCodeOn(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  const exited = once(child, 'exit');
  child.kill(signal);
  const [code] = (await exited) as [number | null];
  return code;
}

test('the mock OP CLI starts, serves discovery for its clients, and exits cleanly on SIGTERM', async () => {
  const { child, issuer, stderr } = await startCli(['--port', '0', '--client', 'client_id=cli-app,redirect_uri=http://localhost:5999/cb']);
  try {
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery.issuer).toBe(issuer);
    expect(discovery.check_session_iframe).toBe(`${issuer}/check_session`);
    const authorize = await fetch(`${issuer}/authorize?client_id=cli-app&redirect_uri=${encodeURIComponent('http://localhost:5999/cb')}&response_type=code&scope=openid&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`, { redirect: 'manual' });
    expect(authorize.status).toBe(200); // the login form for the registered client
    expect(await exitCodeOn(child, 'SIGTERM')).toBe(0);
    expect(stderr()).not.toContain('warning');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('the mock OP CLI exits cleanly on SIGINT (Ctrl+C) too', async () => {
  const { child, issuer } = await startCli(['--port', '0', '--client', 'client_id=cli-app,redirect_uri=http://localhost:5999/cb']);
  try {
    expect((await fetch(`${issuer}/.well-known/openid-configuration`)).status).toBe(200);
    expect(await exitCodeOn(child, 'SIGINT')).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('the mock OP CLI refuses bad flags with usage and exit code 2', async () => {
  const child = spawn(process.execPath, [CLI, '--port', 'not-a-port'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = await once(child, 'exit');
  expect(code).toBe(2);
  expect(stderr).toMatch(/port/i);
});

test('the mock OP CLI warns on stderr when --host is not loopback, and still serves', async () => {
  const { child, issuer, stderr } = await startCli(['--host', '0.0.0.0', '--port', '0', '--client', 'client_id=cli-app,redirect_uri=http://localhost:5999/cb']);
  try {
    expect(stderr()).toContain('mock-op: warning: listening on 0.0.0.0, which is not a loopback address');
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery.issuer).toBe(issuer);
    expect(await exitCodeOn(child, 'SIGTERM')).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
