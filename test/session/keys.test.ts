import { afterEach, describe, expect, it, vi } from 'vitest';
import { startMonitoringWithRecheck, type SessionMonitor } from '../../src/index.js';
import { rememberLastSessionState, takeLastSessionState } from '../../src/monitor/last-session-state.js';
import { appKey } from '../../src/session/keys.js';

// SECURITY.md: the per-app storage keys (cookie evidence, last session_state, idle record) encode the issuer and the
// client_id, so that two apps — on one origin, or of two OPs — cannot share one.

const ISSUER = 'https://op.example';

describe('appKey', () => {
  it('differs by issuer and by client_id, and a separator inside either cannot make two apps collide', () => {
    const keys = [
      appKey('cookies', ISSUER, 'a'),
      appKey('cookies', ISSUER, 'b'),
      appKey('cookies', 'https://op2.example', 'a'),
      appKey('cookies', 'https://op.example:a', 'b'),
      appKey('cookies', ISSUER, 'a:b'),
      appKey('cookies', ISSUER, 'a', 'b'),
      appKey('last-session-state', ISSUER, 'a'),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    expect(appKey('cookies', ISSUER, 'a:b')).toBe('oidc-session-monitor:cookies:https%3A%2F%2Fop.example:a%3Ab');
  });
});

describe('the last session_state, kept for the post-logout page', () => {
  afterEach(() => sessionStorage.clear());

  it('belongs to one app: another client or another issuer does not get it, and it is taken once', () => {
    rememberLastSessionState(ISSUER, 'a', 's1');
    expect(takeLastSessionState(ISSUER, 'b')).toBeUndefined();
    expect(takeLastSessionState('https://op2.example', 'a')).toBeUndefined();
    expect(takeLastSessionState(ISSUER, 'a')).toBe('s1');
    expect(takeLastSessionState(ISSUER, 'a')).toBeUndefined();
  });

  it('storage that throws forgets, never throws', () => {
    const refuse = () => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    };
    vi.stubGlobal('sessionStorage', { getItem: refuse, setItem: refuse, removeItem: refuse });
    try {
      expect(() => rememberLastSessionState(ISSUER, 'a', 's1')).not.toThrow();
      expect(takeLastSessionState(ISSUER, 'a')).toBeUndefined();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('cookie evidence, per app', () => {
  const started: SessionMonitor[] = [];
  afterEach(() => {
    for (const monitor of started.splice(0)) monitor.stop();
    localStorage.clear();
    document.body.innerHTML = '';
  });

  it("a monitor reads its cookie evidence only under its own issuer's and client_id's key", async () => {
    const read = vi.spyOn(Storage.prototype, 'getItem');
    try {
      for (const client_id of ['spa', 'other']) {
        started.push(
          startMonitoringWithRecheck({
            check_session_iframe: `${ISSUER}/check_session`,
            client_id,
            session_state: 'abc.salt',
            sub: 'alice',
            recheck: async () => ({ kind: 'signedOut' as const, error: 'login_required' as const }),
          }),
        );
      }
      const cookieKeys = () => new Set(read.mock.calls.map(([key]) => key).filter((key) => key.startsWith('oidc-session-monitor:cookies:')));
      // (Given only check_session_iframe, the app's issuer is that URL's origin.)
      await vi.waitFor(() => expect(cookieKeys()).toEqual(new Set([appKey('cookies', ISSUER, 'spa'), appKey('cookies', ISSUER, 'other')])));
    } finally {
      read.mockRestore();
    }
  });
});
