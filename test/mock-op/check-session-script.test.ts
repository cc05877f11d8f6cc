// @vitest-environment node
import { createHash, webcrypto } from 'node:crypto';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CHECK_SESSION_SCRIPT } from '../../src/mock-op/check-session-scripts.js';

// The mock OP's check_session iframe script (SM §3.2), run in a bare context with a fake page: what it answers to
// each message, without a browser. The browser suites cover it in place; these cover the rules one by one.

const RP = 'http://localhost:3000';
const OPBS = 'opbs-1';

function sessionState(clientId: string, origin: string, opbs: string, salt = 's4lt'): string {
  return `${createHash('sha256').update(`${clientId} ${origin} ${opbs} ${salt}`).digest('base64url')}.${salt}`;
}

/** Loads the script for these clients and this cookie; `send` posts one message and collects the replies. */
function iframe(clients: Record<string, string[]>) {
  const attributes: Record<string, string> = { 'data-clients': JSON.stringify(clients), 'data-cookie': 'bs' };
  let listener: ((event: unknown) => void) | undefined;
  const page = {
    document: { body: { getAttribute: (name: string) => attributes[name] ?? null }, cookie: `bs=${OPBS}` },
    window: { addEventListener: (type: string, fn: (event: unknown) => void) => void (type === 'message' && (listener = fn)) },
    TextEncoder,
    crypto: webcrypto,
    btoa,
  };
  vm.createContext(page);
  vm.runInContext(CHECK_SESSION_SCRIPT, page);
  const replies: Array<{ to: string; status: string }> = [];
  const send = (data: unknown, origin = RP, to = String(data)) =>
    listener!({ data, origin, source: { postMessage: (status: string, target: string) => (target === origin ? replies.push({ to, status }) : undefined) } });
  // Without `count`, a fixed wait that only shows what arrives meanwhile; with it, until that many replies came.
  const settled = async (count?: number): Promise<void> => {
    if (count === undefined) return new Promise((resolve) => setTimeout(resolve, 50));
    for (const deadline = Date.now() + 5000; replies.length < count && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 10));
  };
  return { page, send, replies, settled };
}

describe('the check_session iframe script', () => {
  it('answers unchanged for the current session_state, changed once the browser state moved on', async () => {
    const f = iframe({ app: [RP] });
    f.send(`app ${sessionState('app', RP, OPBS)}`, RP, 'current');
    await f.settled();
    f.page.document.cookie = 'bs=opbs-2';
    f.send(`app ${sessionState('app', RP, OPBS)}`, RP, 'after');
    await f.settled();
    expect(f.replies).toEqual([{ to: 'current', status: 'unchanged' }, { to: 'after', status: 'changed' }]);
  });

  it('splits client_id and session_state at the last space: a client_id may contain spaces (SM §3.2)', async () => {
    const f = iframe({ 'my app': [RP] });
    f.send(`my app ${sessionState('my app', RP, OPBS)}`);
    await f.settled();
    expect(f.replies.map((r) => r.status)).toEqual(['unchanged']);
  });

  it.each([
    ['an origin the client did not register', `app ${sessionState('app', 'http://evil.test', OPBS)}`, 'http://evil.test'],
    ['an unknown client', `other ${sessionState('other', RP, OPBS)}`, RP],
    ['a session_state without a salt', 'app abc', RP],
    ['a session_state with two dots', 'app a.b.c', RP],
    ['no space at all', 'app', RP],
    ['a prototype key as client_id', `constructor ${sessionState('constructor', RP, OPBS)}`, RP],
    ['something that is not a string', { client_id: 'app' }, RP],
  ])('answers error for %s', async (_what, data, origin) => {
    const f = iframe({ app: [RP] });
    f.send(data, origin);
    await f.settled();
    expect(f.replies.map((r) => r.status)).toEqual(['error']);
  });

  it('answers in the order the messages came, a quick error after a slow hash included', async () => {
    const f = iframe({ app: [RP] });
    f.send(`app ${sessionState('app', RP, OPBS)}`, RP, 'first');
    f.send(42, RP, 'second');
    f.send(`app ${sessionState('app', RP, 'stale')}`, RP, 'third');
    await f.settled(3);
    expect(f.replies).toEqual([
      { to: 'first', status: 'unchanged' },
      { to: 'second', status: 'error' },
      { to: 'third', status: 'changed' },
    ]);
  });
});
