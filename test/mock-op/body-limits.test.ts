import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMockOp } from '../../src/mock-op/index.js';
import type { MockOp } from '../../src/mock-op/index.js';

let op: MockOp;
beforeAll(async () => {
  op = await startMockOp({ clients: [{ client_id: 'app', redirect_uris: ['http://localhost:3000/cb'] }] });
});
afterAll(() => op.close());

function tokenForm(body: string): Promise<Response> {
  return fetch(`${op.issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
}

/** A raw HTTP/1.1 connection that records what comes back, how it ended and any socket error. */
function rawConnection(): { socket: Socket; received: () => string; error: () => string | undefined; ended: Promise<void>; connected: Promise<void> } {
  const socket = connect(op.port, '127.0.0.1');
  let received = '';
  let error: string | undefined;
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
  return {
    socket,
    received: () => received,
    error: () => error,
    ended: new Promise((resolve) => socket.once('close', () => resolve())),
    connected: new Promise((resolve) => socket.once('connect', () => resolve())),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

it('accepts a 60 KiB form: the limit is 64 KiB', async () => {
  const small = await tokenForm('grant_type=authorization_code&client_id=nobody');
  const large = await tokenForm(`grant_type=authorization_code&client_id=nobody&pad=${'x'.repeat(60 * 1024)}`);
  expect(small.status).not.toBe(413);
  expect(large.status).toBe(small.status);
  expect(await large.json()).toEqual(await small.json());
});

it('answers a 1 MiB body sent slowly with 413 only after its last chunk, without resetting the connection', async () => {
  const conn = rawConnection();
  await conn.connected;
  const total = 1024 * 1024;
  const chunk = 'x'.repeat(32 * 1024);
  conn.socket.write(
    `POST /token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${total}\r\n\r\n`,
  );
  let answeredEarly = false;
  for (let sent = 0; sent < total && conn.error() === undefined; sent += chunk.length) {
    if (conn.received() !== '') answeredEarly = true;
    conn.socket.write(chunk);
    // Pacing, not waiting for anything: the body must arrive in many reads ("sent slowly").
    await sleep(3);
  }
  // The OP ends the connection (one that never does fails on the test's timeout).
  const closedByOp = await conn.ended.then(() => true);

  expect(conn.error()).toBeUndefined(); // no ECONNRESET, no EPIPE
  expect(answeredEarly).toBe(false);
  expect(conn.received()).toMatch(/^HTTP\/1\.1 413 /);
  expect(conn.received()).toMatch(/\r\nconnection: close\r\n/i);
  expect(conn.received()).toContain('too large');
  expect(closedByOp).toBe(true);

  // The OP closed that connection on purpose; the client's next request, on a fresh one, is served.
  const next = await fetch(`${op.issuer}/.well-known/openid-configuration`);
  expect(next.status).toBe(200);
});
