import { Server } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { startMockOp } from '../../src/mock-op/index.js';

// SECURITY.md: the mock OP signs anyone in with well-known passwords; it runs on loopback and is not meant to face a
// network. Unless told otherwise it must listen on 127.0.0.1 only — never on every interface.

describe('the mock OP listens on loopback unless told otherwise', () => {
  it.each([
    ['no host option', {}, '127.0.0.1'],
    ['host ::1', { host: '::1' }, '::1'],
  ])('%s: listens on %s', async (_name, extra, expected) => {
    const listen = vi.spyOn(Server.prototype, 'listen');
    const op = await startMockOp({ ...extra, clients: [{ client_id: 'a', redirect_uris: ['http://localhost:1/cb'] }] });
    try {
      const hosts = listen.mock.calls.map((args) => args[1]);
      expect(hosts).toEqual([expected]);
      expect(new URL(op.url).hostname).toBe('localhost');
    } finally {
      listen.mockRestore();
      await op.close();
    }
  });
});
