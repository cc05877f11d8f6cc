import { describe, expect, it, vi } from 'vitest';
import { ErrorCode, OidcSessionMonitorError } from '../../src/errors.js';
import { createMonitor, type MonitorConfig, type MonitorDeps } from '../../src/monitor/monitor.js';
import type { OpFrameCallbacks } from '../../src/monitor/ports.js';
import type { MonitorEventName, MonitorEvents, RecheckResult, SessionInfo } from '../../src/monitor/types.js';
import { FakeClock, flush } from '../support/fake-clock.js';
import { parseTabMessage, type TabMessage } from '../../src/tabs/messages.js';

const CONFIG: MonitorConfig = {
  interval: 1000,
  replyTimeout: 500,
  frameTimeout: 2000,
  recheckTimeout: 3000,
  maxRetryDelay: 8000,
  onErrorStatus: 'backoff',
  maxRechecks: 3,
  recheckWindow: 60_000,
  keepAlive: 0,
  anonymous: false,
  mode: 'auto',
  recheckInterval: 60_000,
  minRecheckInterval: 10_000,
};

interface FakeFrame {
  url: string;
  callbacks: OpFrameCallbacks;
  posted: string[];
  disposed: boolean;
}

function setup(overrides: Partial<Omit<MonitorDeps, 'config'>> & { config?: Partial<MonitorConfig>; session?: SessionInfo | null } = {}) {
  const clock = new FakeClock();
  const frames: FakeFrame[] = [];
  const rechecks: Array<{ resolve: (r: RecheckResult) => void; reject: (e: unknown) => void; signal: AbortSignal }> = [];
  const signOuts: string[] = [];
  // Like a real store: signing out locally removes the session.
  let session: SessionInfo | null = overrides.session === undefined ? { session_state: 'state-1', sub: 'alice', id_token: 'id-1' } : overrides.session;
  const deps: MonitorDeps = {
    clientId: 'client-a',
    resolveCheckSessionIframe: async () => 'https://op.example/check_session',
    getSession: async () => session,
    createFrame: (url, callbacks) => {
      const frame: FakeFrame = { url, callbacks, posted: [], disposed: false };
      frames.push(frame);
      return {
        post: (message) => {
          if (!frame.disposed) frame.posted.push(message);
        },
        dispose: () => {
          frame.disposed = true;
        },
      };
    },
    recheck: (context) =>
      new Promise<RecheckResult>((resolve, reject) => {
        rechecks.push({ resolve, reject, signal: context.signal });
      }),
    signOutLocally: async (reason) => {
      signOuts.push(reason);
      session = null;
    },
    clock,
    random: () => 0.5,
    ...overrides,
    config: { ...CONFIG, ...overrides.config },
  };
  const monitor = createMonitor(deps);
  const seen: Array<{ event: MonitorEventName; payload: unknown }> = [];
  for (const event of ['status', 'refreshed', 'userChanged', 'signedOut', 'signedIn', 'unavailable', 'error'] as const) {
    monitor.on(event, (payload) => seen.push({ event, payload }));
  }
  const of = <E extends MonitorEventName>(event: E) => seen.filter((e) => e.event === event).map((e) => e.payload as MonitorEvents[E]);
  const frame = () => frames[frames.length - 1]!;
  const reply = (status: 'unchanged' | 'changed' | 'error') => frame().callbacks.onReply(status);
  async function started() {
    monitor.start();
    await flush();
    frame().callbacks.onLoad();
    await flush();
  }
  /** Starts as one of the app's tabs, wins the election and loads the frame (its first poll is out). */
  async function startedLeading() {
    monitor.start({ coordinated: true });
    await flush();
    monitor.lead(true);
    await flush();
    frame().callbacks.onLoad();
  }
  /** Removes the local user behind the monitor's back (what logout() does before it navigates). */
  const signOutLocallyNow = async () => {
    session = null;
  };
  return { monitor, clock, frames, frame, rechecks, signOuts, of, seen, reply, started, startedLeading, signOutLocallyNow };
}

describe('polling', () => {
  it('posts client_id and session_state as soon as the frame has loaded', async () => {
    const t = setup();
    await t.started();
    expect(t.frame().url).toBe('https://op.example/check_session');
    expect(t.frame().posted).toEqual(['client-a state-1']);
    expect(t.monitor.state).toBe('starting');
  });

  it('keeps polling at the interval while the OP answers unchanged', async () => {
    const t = setup();
    await t.started();
    t.reply('unchanged');
    expect(t.monitor.state).toBe('monitoring');
    await t.clock.advance(999);
    expect(t.frame().posted).toHaveLength(1);
    await t.clock.advance(1);
    expect(t.frame().posted).toHaveLength(2);
    const answeredAt = t.clock.now();
    t.reply('unchanged');
    await t.clock.advance(1000);
    expect(t.frame().posted).toHaveLength(3);
    expect(t.rechecks).toHaveLength(0);
    expect(t.of('status').map((s) => s.status)).toEqual(['unchanged', 'unchanged']);
    // Steady polls take the interpreter's shortcut: the same SM §3.1 message, and a status stamped when the answer came.
    expect(t.frame().posted).toEqual(['client-a state-1', 'client-a state-1', 'client-a state-1']);
    expect(t.of('status')[1]!.at).toBe(answeredAt);
    t.monitor.checkNow();
    expect(t.frame().posted).toHaveLength(3); // a poll is still out
    t.reply('unchanged');
    t.monitor.checkNow();
    expect(t.frame().posted).toEqual(Array(4).fill('client-a state-1'));
  });

  it('steady polling costs no timer call per poll: one repeating tick polls and times polls out', async () => {
    const t = setup({ config: { interval: 1000, replyTimeout: 5000 } });
    await t.started();
    const setTimeout = vi.spyOn(t.clock, 'setTimeout');
    const setInterval = vi.spyOn(t.clock, 'setInterval');
    const clearTimeout = vi.spyOn(t.clock, 'clearTimeout');
    for (let i = 0; i < 10; i++) {
      t.reply('unchanged');
      await t.clock.advance(1000);
    }
    expect(t.frame().posted).toHaveLength(11);
    expect(setInterval).toHaveBeenCalledTimes(1);
    expect(setTimeout).not.toHaveBeenCalled();
    expect(clearTimeout).toHaveBeenCalledTimes(1); // the first poll's own deadline
    // An extra poll between ticks (checkNow on focus) costs none either.
    t.reply('unchanged');
    await t.clock.advance(600);
    t.monitor.checkNow();
    expect(t.frame().posted).toHaveLength(12);
    expect(setTimeout).not.toHaveBeenCalled();
  });

  it('an app handler that acts during steady polling is obeyed at once: stop() in a status handler ends it all', async () => {
    const t = setup({ config: { interval: 1000, replyTimeout: 5000 } });
    await t.started();
    t.reply('unchanged');
    await t.clock.advance(1000);
    expect(t.frame().posted).toHaveLength(2);
    // The steady answer's status event runs the app's handler, which polls again and then stops the monitor.
    let polledFromHandler = 0;
    t.monitor.on('status', () => {
      t.monitor.checkNow();
      polledFromHandler = t.frame().posted.length;
      t.monitor.stop();
    });
    t.reply('unchanged');
    expect(polledFromHandler).toBe(3);
    expect(t.monitor.state).toBe('stopped');
    expect(t.frame().disposed).toBe(true);
    await t.clock.advance(10_000);
    expect(t.frame().posted).toHaveLength(3);
  });

  it('the tick times out a poll that gets no answer, and stops with the frame', async () => {
    const t = setup({ config: { interval: 1000, replyTimeout: 2500 } });
    await t.started();
    t.reply('unchanged');
    await t.clock.advance(1000);
    expect(t.frame().posted).toHaveLength(2);
    await t.clock.advance(2000);
    expect(t.of('unavailable')).toEqual([]);
    await t.clock.advance(1000);
    expect(t.of('unavailable')).toMatchObject([{ reason: 'no-reply' }]);
    expect(t.frame().disposed).toBe(true);
  });

  it('a checkNow just before the tick does not make the tick poll again at once', async () => {
    const t = setup();
    await t.started();
    t.reply('unchanged');
    await t.clock.advance(900);
    t.monitor.checkNow();
    t.reply('unchanged');
    await t.clock.advance(100);
    expect(t.frame().posted).toHaveLength(2);
  });

  it('has one poll in flight at a time', async () => {
    const t = setup();
    await t.started();
    t.monitor.checkNow();
    t.monitor.checkNow();
    expect(t.frame().posted).toHaveLength(1);
  });

  it('ignores a reply when no poll is outstanding, and a second reply to one poll', async () => {
    const t = setup();
    await t.started();
    t.reply('unchanged');
    t.reply('changed');
    t.reply('error');
    expect(t.of('status')).toHaveLength(1);
    expect(t.rechecks).toHaveLength(0);
    expect(t.monitor.state).toBe('monitoring');
  });

  it('ignores a reply that arrives before the frame reported load', async () => {
    const t = setup();
    t.monitor.start();
    await flush();
    t.reply('changed');
    expect(t.rechecks).toHaveLength(0);
    expect(t.of('status')).toHaveLength(0);
  });

  it('checkNow polls at once instead of waiting for the interval', async () => {
    const t = setup();
    await t.started();
    t.reply('unchanged');
    t.monitor.checkNow();
    expect(t.frame().posted).toHaveLength(2);
  });
});

describe('changed', () => {
  it('runs exactly one re-check with the current ID token, then stores the new session_state', async () => {
    const t = setup();
    await t.started();
    t.reply('changed');
    expect(t.monitor.state).toBe('rechecking');
    expect(t.rechecks).toHaveLength(1);
    await t.clock.advance(2000);
    expect(t.frame().posted).toHaveLength(1); // polling paused during the re-check
    t.rechecks[0]!.resolve({ kind: 'authenticated', sub: 'alice', session_state: 'state-2' });
    await flush();
    expect(t.of('refreshed')).toEqual([{ sub: 'alice', session_state: 'state-2', previous_session_state: 'state-1' }]);
    expect(t.monitor.state).toBe('monitoring');
    expect(t.signOuts).toEqual([]);
    await t.clock.advance(1000);
    expect(t.frame().posted.at(-1)).toBe('client-a state-2');
    expect(t.rechecks).toHaveLength(1);
  });

  it('signs out locally and stops when the OP answers login_required', async () => {
    const t = setup();
    await t.started();
    t.reply('changed');
    t.rechecks[0]!.resolve({ kind: 'signedOut', error: 'login_required' });
    await flush();
    expect(t.signOuts).toEqual(['login_required']);
    expect(t.of('signedOut')).toEqual([{ reason: 'login_required', sub: 'alice' }]);
    expect(t.monitor.state).toBe('signedOut');
    expect(t.frame().disposed).toBe(true);
    expect(t.clock.pending).toBe(0);
  });

  it.each(['interaction_required', 'consent_required', 'account_selection_required'] as const)('treats %s as signed out', async (error) => {
    const t = setup();
    await t.started();
    t.reply('changed');
    t.rechecks[0]!.resolve({ kind: 'signedOut', error });
    await flush();
    expect(t.of('signedOut')).toEqual([{ reason: error, sub: 'alice' }]);
  });

  it('reports userChanged and signs the original user out when the OP has another user', async () => {
    const t = setup();
    await t.started();
    t.reply('changed');
    t.rechecks[0]!.resolve({ kind: 'authenticated', sub: 'bob', session_state: 'state-9' });
    await flush();
    expect(t.of('userChanged')).toEqual([{ previousSub: 'alice', sub: 'bob' }]);
    expect(t.of('signedOut')).toHaveLength(1);
    expect(t.of('refreshed')).toHaveLength(0);
    expect(t.signOuts).toHaveLength(1);
    expect(t.monitor.state).toBe('signedOut');
  });

  it('keeps the user when the re-check fails, reports an error and retries later', async () => {
    const t = setup();
    await t.started();
    t.reply('changed');
    t.rechecks[0]!.reject(new TypeError('Failed to fetch'));
    await flush();
    expect(t.signOuts).toEqual([]);
    expect(t.of('signedOut')).toHaveLength(0);
    const [reported] = t.of('error');
    expect(reported!.error).toBeInstanceOf(OidcSessionMonitorError);
    expect(reported!.error.code).toBe(ErrorCode.RecheckFailed);
    expect(t.monitor.state).toBe('monitoring');
    await t.clock.advance(t.clock.nextDelay!);
    expect(t.frame().posted).toHaveLength(2);
    t.reply('changed');
    expect(t.rechecks).toHaveLength(2);
    t.rechecks[1]!.resolve({ kind: 'authenticated', sub: 'alice', session_state: 'state-3' });
    await flush();
    expect(t.of('refreshed')).toHaveLength(1);
  });

  it.each([ErrorCode.SilentCallbackMissing, ErrorCode.InvalidMetadata])(
    "reports the re-check's %s under its own code, keeps the user and retries later",
    async (code) => {
      const t = setup();
      await t.started();
      t.reply('changed');
      t.rechecks[0]!.reject(new OidcSessionMonitorError(code, 'the re-check said why'));
      await flush();
      expect(t.of('error').map((e) => e.error.code)).toEqual([code]);
      expect(t.signOuts).toEqual([]);
      expect(t.monitor.state).toBe('monitoring');
      await t.clock.advance(t.clock.nextDelay!);
      expect(t.frame().posted).toHaveLength(2);
    },
  );

  it('gives up waiting for a re-check that never resolves, without signing out', async () => {
    const t = setup();
    await t.started();
    t.reply('changed');
    await t.clock.advance(3000);
    expect(t.rechecks[0]!.signal.aborted).toBe(true);
    expect(t.of('error').map((e) => e.error.code)).toEqual([ErrorCode.RecheckTimeout]);
    expect(t.signOuts).toEqual([]);
    expect(t.monitor.state).toBe('monitoring');
    // A late answer to the abandoned re-check changes nothing.
    t.rechecks[0]!.resolve({ kind: 'signedOut', error: 'login_required' });
    await flush();
    expect(t.signOuts).toEqual([]);
  });

  it.each([
    ['a sign-out error that is not one', { kind: 'signedOut', error: 'server_error' }],
    ['an authenticated result without sub', { kind: 'authenticated', session_state: 's2' }],
    ['an empty session_state', { kind: 'authenticated', sub: 'alice', session_state: '' }],
    // It would be polled as `client_id session_state` with a space too many (SM §3.1).
    ['a session_state with a space', { kind: 'authenticated', sub: 'alice', session_state: 'a b' }],
    ['nothing', undefined],
  ])('does not trust a re-check that returns something other than a RecheckResult: %s', async (_what, result) => {
    const t = setup({ recheck: async () => result as unknown as RecheckResult });
    await t.started();
    t.reply('changed');
    await flush();
    expect(t.signOuts).toEqual([]);
    expect(t.of('refreshed')).toEqual([]);
    expect(t.of('error').map((e) => e.error.code)).toEqual([ErrorCode.RecheckFailed]);
  });

  it('caps prompt=none re-checks when the OP keeps answering changed (loop guard)', async () => {
    let n = 0;
    const t = setup({ recheck: async () => ({ kind: 'authenticated', sub: 'alice', session_state: `s${++n}` }) });
    await t.started();
    for (let i = 0; i < 10; i++) {
      if (t.frame().posted.length > i) t.reply('changed');
      await t.clock.advance(1000);
    }
    expect(n).toBe(3);
    const guard = t.of('unavailable').filter((u) => u.reason === 'loop-guard');
    expect(guard).toHaveLength(1);
    expect(guard[0]!.retrying).toBe(true);
    expect(t.signOuts).toEqual([]);
  });
});

describe('error status', () => {
  it('never re-checks, reports unavailable and keeps polling at a backed-off pace', async () => {
    const t = setup();
    await t.started();
    t.reply('error');
    expect(t.rechecks).toHaveLength(0);
    expect(t.monitor.state).toBe('unavailable');
    expect(t.of('unavailable')).toMatchObject([{ reason: 'error-status', retrying: true }]);
    const delay = t.clock.nextDelay!;
    expect(delay).toBeGreaterThan(CONFIG.interval);
    await t.clock.advance(delay);
    expect(t.frame().posted).toHaveLength(2);
    t.reply('error');
    expect(t.clock.nextDelay!).toBeGreaterThan(delay);
    expect(t.of('unavailable')).toHaveLength(1); // reported once, not on every poll
    expect(t.rechecks).toHaveLength(0);
  });

  it('returns to normal when the OP answers again, so a later logout is still detected', async () => {
    const t = setup();
    await t.started();
    t.reply('error');
    await t.clock.advance(t.clock.nextDelay!);
    t.reply('unchanged');
    expect(t.monitor.state).toBe('monitoring');
    const posted = t.frame().posted.length;
    await t.clock.advance(CONFIG.interval - 1);
    expect(t.frame().posted).toHaveLength(posted);
    await t.clock.advance(1);
    expect(t.frame().posted).toHaveLength(posted + 1);
    t.reply('changed');
    t.rechecks[0]!.resolve({ kind: 'signedOut', error: 'login_required' });
    await flush();
    expect(t.of('signedOut')).toHaveLength(1);
  });

  it("stops polling under onErrorStatus: 'stop'", async () => {
    const t = setup({ config: { onErrorStatus: 'stop' } });
    await t.started();
    t.reply('error');
    expect(t.of('unavailable')).toMatchObject([{ reason: 'error-status', retrying: false }]);
    expect(t.clock.pending).toBe(0);
    expect(t.frame().disposed).toBe(true);
    expect(t.rechecks).toHaveLength(0);
  });

  it("never signs anybody out on error while watching anonymously, even under onErrorStatus: 'signOut'", async () => {
    const t = setup({ session: null, config: { anonymous: true, onErrorStatus: 'signOut' } });
    t.monitor.start();
    await flush();
    t.frame().callbacks.onLoad();
    t.rechecks[0]!.resolve({ kind: 'signedOut', error: 'login_required', session_state: 'anon.1' });
    await flush();
    await t.clock.advance(1000);
    t.reply('error');
    await flush();
    expect(t.signOuts).toEqual([]);
    expect(t.of('signedOut')).toEqual([]);
  });

  it("signs out under onErrorStatus: 'signOut', still without prompt=none", async () => {
    const t = setup({ config: { onErrorStatus: 'signOut' } });
    await t.started();
    t.reply('error');
    await flush();
    expect(t.rechecks).toHaveLength(0);
    expect(t.of('signedOut')).toEqual([{ reason: 'error-status', sub: 'alice' }]);
  });
});

describe('start-up and outages', () => {
  it("reports unsupported, without retrying, when the OP has no check_session_iframe (mode: 'iframe')", async () => {
    const t = setup({ resolveCheckSessionIframe: async () => undefined, config: { mode: 'iframe' } });
    t.monitor.start();
    await flush();
    expect(t.of('unavailable')).toMatchObject([{ reason: 'unsupported', retrying: false }]);
    expect(t.frames).toHaveLength(0);
    expect(t.clock.pending).toBe(0);
    expect(t.signOuts).toEqual([]);
  });

  it.each(['javascript:alert(1)', 'data:text/html,<script>x</script>', 'http://op.example/check', 'not a url', '/relative'])(
    'never loads a check_session_iframe of %s from discovery: invalid-metadata, no frame, no retry',
    async (published) => {
      const t = setup({ resolveCheckSessionIframe: async () => published });
      t.monitor.start();
      await flush();
      expect(t.frames).toHaveLength(0);
      expect(t.of('unavailable')).toMatchObject([{ reason: 'invalid-metadata', retrying: false }]);
      expect(t.clock.pending).toBe(0);
    },
  );

  it('loads a discovered http: iframe on loopback, and elsewhere only with allowInsecureHttp', async () => {
    const loopback = setup({ resolveCheckSessionIframe: async () => 'http://localhost:4000/check' });
    loopback.monitor.start();
    await flush();
    expect(loopback.frames).toHaveLength(1);
    const lan = setup({ resolveCheckSessionIframe: async () => 'http://op.lan/check', allowInsecureHttp: true });
    lan.monitor.start();
    await flush();
    expect(lan.frames).toHaveLength(1);
  });

  it("reports a user without session_state as unavailable, never as signed out (mode: 'iframe')", async () => {
    const t = setup({ session: { session_state: '', sub: 'alice' }, config: { mode: 'iframe' } });
    t.monitor.start();
    await flush();
    expect(t.of('unavailable')).toMatchObject([{ reason: 'no-session-state' }]);
    expect(t.of('signedOut')).toHaveLength(0);
  });

  it('reports not-signed-in when there is no local user', async () => {
    const t = setup({ session: null });
    t.monitor.start();
    await flush();
    expect(t.of('unavailable')).toMatchObject([{ reason: 'not-signed-in' }]);
  });

  it('retries discovery with backoff until the OP answers', async () => {
    let calls = 0;
    const t = setup({
      resolveCheckSessionIframe: async () => {
        calls += 1;
        if (calls < 3) throw new Error('ECONNREFUSED');
        return 'https://op.example/check_session';
      },
    });
    t.monitor.start();
    await flush();
    expect(t.of('unavailable')).toMatchObject([{ reason: 'discovery-failed', retrying: true }]);
    await t.clock.advance(t.clock.nextDelay!);
    await t.clock.advance(t.clock.nextDelay!);
    expect(calls).toBe(3);
    t.frame().callbacks.onLoad();
    expect(t.frame().posted).toEqual(['client-a state-1']);
  });

  it('replaces a frame that never loads, and starts once one does', async () => {
    const t = setup();
    t.monitor.start();
    await flush();
    await t.clock.advance(2000);
    expect(t.frames[0]!.disposed).toBe(true);
    expect(t.of('unavailable')).toMatchObject([{ reason: 'frame-timeout', retrying: true }]);
    await t.clock.advance(t.clock.nextDelay!);
    expect(t.frames).toHaveLength(2);
    t.frame().callbacks.onLoad();
    t.reply('unchanged');
    expect(t.monitor.state).toBe('monitoring');
    expect(t.signOuts).toEqual([]);
  });

  it('reloads the frame when a poll gets no reply (OP down), without signing out', async () => {
    const t = setup();
    await t.started();
    t.reply('unchanged');
    await t.clock.advance(1000);
    // Steady polling: the lost answer is noticed when the next poll is due.
    await t.clock.advance(1000);
    expect(t.of('unavailable')).toMatchObject([{ reason: 'no-reply', retrying: true }]);
    expect(t.frames[0]!.disposed).toBe(true);
    await t.clock.advance(t.clock.nextDelay!);
    expect(t.frames).toHaveLength(2);
    t.frame().callbacks.onLoad();
    t.reply('unchanged');
    expect(t.monitor.state).toBe('monitoring');
    expect(t.of('signedOut')).toHaveLength(0);
  });

  it('backs off further on each consecutive failure, up to maxRetryDelay', async () => {
    const t = setup({ resolveCheckSessionIframe: async () => Promise.reject(new Error('down')) });
    t.monitor.start();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      await flush();
      delays.push(t.clock.nextDelay!);
      await t.clock.advance(t.clock.nextDelay!);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
  });
});

describe('waking during an outage', () => {
  // Focus, visibility and online events come in bursts (a user switching windows); during an outage each one used to
  // retry at once, skipping the backoff. CONFIG: interval 1000, maxRetryDelay 8000, no jitter (random 0.5).

  it("a burst of focus events while the iframe answers error polls once ahead of the backoff, not once per event", async () => {
    const lifecycle = fakeLifecycle();
    const t = setup({ lifecycle });
    await t.started();
    t.reply('error'); // backoff: 2000 ms
    expect(t.frame().posted).toHaveLength(1);
    for (let i = 0; i < 10; i++) {
      lifecycle.resume();
      if (t.frame().posted.length > 1 + i) t.reply('error');
      await t.clock.advance(100);
    }
    // One early poll (the first focus); then the backoff, now 4000 ms from that poll's answer, runs its course.
    expect(t.frame().posted).toHaveLength(2);
    await t.clock.advance(4000 - 1000);
    expect(t.frame().posted).toHaveLength(3);
    expect(t.signOuts).toEqual([]);
  });

  it('a burst of focus events while discovery is down retries discovery once ahead of the backoff', async () => {
    const lifecycle = fakeLifecycle();
    let calls = 0;
    const t = setup({
      lifecycle,
      resolveCheckSessionIframe: async () => {
        calls += 1;
        throw new Error('ECONNREFUSED');
      },
    });
    t.monitor.start();
    await flush();
    expect(calls).toBe(1);
    for (let i = 0; i < 10; i++) {
      lifecycle.resume();
      await t.clock.advance(50);
    }
    expect(calls).toBe(2);
  });

  it('a burst of visibility changes while the iframe does not answer reloads it once ahead of the backoff', async () => {
    const lifecycle = fakeLifecycle();
    const t = setup({ lifecycle });
    await t.started();
    await t.clock.advance(500); // no answer: no-reply, the frame goes, a new one in 1000 ms
    expect(t.of('unavailable')).toMatchObject([{ reason: 'no-reply', retrying: true }]);
    expect(t.frames).toHaveLength(1);
    // Within the next backoff period (2000 ms after the early reload's own no-reply): each new frame loads and again
    // does not answer in 500 ms.
    for (let i = 0; i < 5; i++) {
      lifecycle.set(false);
      lifecycle.set(true);
      if (!t.frame().disposed && t.frame().posted.length === 0) t.frame().callbacks.onLoad();
      await t.clock.advance(300);
    }
    expect(t.frames).toHaveLength(2);
    // The backoff runs its course even though the page stays shown with no timer of its own.
    await t.clock.advance(2000);
    expect(t.frames).toHaveLength(3);
  });

  it('once the period has passed, a focus may retry ahead of the next backoff again; a steady monitor still checks on every focus', async () => {
    const lifecycle = fakeLifecycle();
    const t = setup({ lifecycle, config: { maxRetryDelay: 60_000 } });
    await t.started();
    t.reply('error'); // next poll in 2000 ms
    lifecycle.resume(); // early poll
    t.reply('error'); // next poll in 4000 ms
    expect(t.frame().posted).toHaveLength(2);
    await t.clock.advance(4000);
    expect(t.frame().posted).toHaveLength(3);
    t.reply('error'); // next poll in 8000 ms; the early one was 4000 ms ago, a period of its own
    lifecycle.resume();
    expect(t.frame().posted).toHaveLength(4);
    t.reply('unchanged');
    for (let i = 0; i < 3; i++) {
      lifecycle.resume();
      t.reply('unchanged');
    }
    expect(t.frame().posted).toHaveLength(7);
  });
});

describe('stop and pause', () => {
  it('stop removes the frame and every timer, and later replies do nothing', async () => {
    const t = setup();
    await t.started();
    const frame = t.frame();
    t.monitor.stop();
    expect(frame.disposed).toBe(true);
    expect(t.clock.pending).toBe(0);
    expect(t.monitor.state).toBe('stopped');
    frame.callbacks.onReply('changed');
    await t.clock.advance(10_000);
    expect(t.rechecks).toHaveLength(0);
    expect(t.frames).toHaveLength(1);
  });

  it('stop during discovery leaves nothing behind', async () => {
    let resolve!: (url: string) => void;
    const t = setup({ resolveCheckSessionIframe: () => new Promise((r) => (resolve = r)) });
    t.monitor.start();
    await flush();
    t.monitor.stop();
    resolve('https://op.example/check_session');
    await flush();
    expect(t.frames).toHaveLength(0);
    expect(t.clock.pending).toBe(0);
  });

  it('a re-check result that arrives after stop, a loss of leadership or a suspension is never accepted into the store', async () => {
    for (const interrupt of ['stop', 'lead', 'suspend'] as const) {
      const accepted: unknown[] = [];
      const t = setup({ accept: async (result) => void accepted.push(result) });
      await t.startedLeading();
      t.reply('changed');
      if (interrupt === 'stop') t.monitor.stop();
      else if (interrupt === 'lead') t.monitor.lead(false);
      else t.monitor.suspend();
      expect(t.rechecks[0]!.signal.aborted).toBe(true);
      t.rechecks[0]!.resolve({ kind: 'authenticated', sub: 'alice', session_state: 'late' });
      await flush();
      expect(accepted).toEqual([]);
      expect(t.of('refreshed')).toEqual([]);
    }
  });

  it('a re-check that timed out is never accepted, even when it resolves later', async () => {
    const accepted: unknown[] = [];
    const t = setup({ accept: async (result) => void accepted.push(result) });
    await t.started();
    t.reply('changed');
    await t.clock.advance(3000);
    t.rechecks[0]!.resolve({ kind: 'authenticated', sub: 'alice', session_state: 'late' });
    await flush();
    expect(accepted).toEqual([]);
  });

  it('accepts a same-user result before announcing it, and never another user\'s', async () => {
    const log: string[] = [];
    const t = setup({ accept: async (result) => void log.push(`accept ${result.sub}`) });
    t.monitor.on('refreshed', ({ sub }) => void log.push(`refreshed ${sub}`));
    await t.started();
    t.reply('changed');
    t.rechecks[0]!.resolve({ kind: 'authenticated', sub: 'alice', session_state: 'state-2' });
    await flush();
    await t.clock.advance(1000);
    t.reply('changed');
    t.rechecks[1]!.resolve({ kind: 'authenticated', sub: 'bob', session_state: 'state-3' });
    await flush();
    expect(log).toEqual(['accept alice', 'refreshed alice']);
    expect(t.of('userChanged')).toEqual([{ previousSub: 'alice', sub: 'bob' }]);
  });

  it('stop during a re-check aborts it and ignores its result', async () => {
    const t = setup();
    await t.started();
    t.reply('changed');
    t.monitor.stop();
    expect(t.rechecks[0]!.signal.aborted).toBe(true);
    t.rechecks[0]!.resolve({ kind: 'signedOut', error: 'login_required' });
    await flush();
    expect(t.signOuts).toEqual([]);
    expect(t.clock.pending).toBe(0);
  });

  it('suspend stops polling and re-checks (a logout is navigating away), and resume goes on', async () => {
    const t = setup();
    await t.started();
    t.reply('unchanged');
    t.monitor.suspend();
    await t.clock.advance(10_000);
    expect(t.frame().posted).toHaveLength(1);
    expect(t.frame().disposed).toBe(true);
    expect(t.monitor.state).toBe('paused');
    expect(t.clock.pending).toBe(0);
    t.monitor.resume();
    await flush();
    t.frame().callbacks.onLoad();
    expect(t.frame().posted).toEqual(['client-a state-1']);
    t.reply('unchanged');
    expect(t.monitor.state).toBe('monitoring');
  });

  it('suspend hands polling over: a leading tab says it no longer watches, so another tab of the user can lead', async () => {
    const watched: Array<string | undefined> = [];
    const t = setup({ watch: (sub) => void watched.push(sub) });
    await t.startedLeading();
    t.reply('unchanged');
    expect(watched).toEqual(['alice']);
    t.monitor.suspend();
    expect(watched).toEqual(['alice', undefined]);
  });

  it('a logout navigation that never left the page: the next check finds the user gone and reports signedOut (logout)', async () => {
    const t = setup();
    await t.started();
    t.monitor.suspend();
    // logout() removed the user and resolved; the browser stayed (beforeunload "stay", a 204, back from the bfcache).
    await t.signOutLocallyNow();
    t.monitor.checkNow();
    await flush();
    expect(t.monitor.state).toBe('signedOut');
    expect(t.of('signedOut')).toEqual([{ reason: 'logout', sub: 'alice' }]);
  });

  it('a paused monitor whose user is still there goes on monitoring at the next check', async () => {
    const t = setup();
    await t.started();
    t.monitor.suspend();
    t.monitor.checkNow();
    await flush();
    t.frame().callbacks.onLoad();
    t.reply('unchanged');
    expect(t.monitor.state).toBe('monitoring');
  });

  it('a refreshed whose tokens were still being stored is not announced after a sign-out that came meanwhile', async () => {
    let stored!: () => void;
    const t = setup({ accept: () => new Promise<void>((resolve) => (stored = resolve)) });
    await t.started();
    t.reply('changed');
    t.rechecks[0]!.resolve({ kind: 'authenticated', sub: 'alice', session_state: 'state-2' });
    await flush();
    t.monitor.signOutFrom('other-tab');
    await flush();
    stored();
    await flush();
    expect(t.of('refreshed')).toEqual([]);
    expect(t.of('signedOut')).toHaveLength(1);
  });

  it('a logout that failed after removing the user ends a suspended monitor as signedOut (logout)', async () => {
    const t = setup();
    await t.started();
    t.monitor.suspend();
    t.monitor.signOutFrom('logout');
    await flush();
    expect(t.monitor.state).toBe('signedOut');
    expect(t.of('signedOut')).toEqual([{ reason: 'logout', sub: 'alice' }]);
    expect(t.clock.pending).toBe(0);
  });

  it('tells the app before it removes the iframe, and still leaves nothing behind', async () => {
    const t = setup();
    let frameAtEvent: boolean | undefined;
    t.monitor.on('signedOut', () => {
      frameAtEvent = t.frame().disposed;
    });
    await t.started();
    t.reply('changed');
    t.rechecks[0]!.resolve({ kind: 'signedOut', error: 'login_required' });
    await flush();
    expect(frameAtEvent).toBe(false);
    expect(t.frame().disposed).toBe(true);
    expect(t.clock.pending).toBe(0);
  });

  it('a stop while the local sign-out is still running, with the steady tick running, leaves no frame or timer', async () => {
    const t = setup({ signOutLocally: () => new Promise<void>(() => {}) });
    await t.started();
    t.reply('unchanged');
    await t.clock.advance(1000);
    t.reply('changed');
    t.rechecks[0]!.resolve({ kind: 'signedOut', error: 'login_required' });
    await flush();
    t.monitor.stop();
    await t.clock.advance(60_000);
    expect(t.frame().disposed).toBe(true);
    expect(t.clock.pending).toBe(0);
  });

  it('a stop while the local sign-out is still running leaves no frame or timer either', async () => {
    let finish!: () => void;
    const t = setup({ signOutLocally: () => new Promise<void>((resolve) => (finish = resolve)) });
    await t.started();
    t.reply('changed');
    t.rechecks[0]!.resolve({ kind: 'signedOut', error: 'login_required' });
    await flush();
    t.monitor.stop();
    finish();
    await flush();
    expect(t.frame().disposed).toBe(true);
    expect(t.clock.pending).toBe(0);
  });

  it('signOutFrom signs out locally without asking the OP', async () => {
    const t = setup();
    await t.started();
    t.monitor.signOutFrom('other-tab');
    await flush();
    expect(t.rechecks).toHaveLength(0);
    expect(t.signOuts).toEqual(['other-tab']);
    expect(t.of('signedOut')).toEqual([{ reason: 'other-tab', sub: 'alice' }]);
  });

  it('signOutFrom("idle") (the app\'s idle timeout) signs out with reason idle; other tabs drop its broadcast', async () => {
    const sent: TabMessage[] = [];
    const t = setup({ broadcast: (message) => void sent.push(message) });
    await t.started();
    t.monitor.signOutFrom('idle');
    await flush();
    expect(t.rechecks).toHaveLength(0);
    expect(t.signOuts).toEqual(['idle']);
    expect(t.of('signedOut')).toEqual([{ reason: 'idle', sub: 'alice' }]);
    // Each tab's own idle watch signs its user out with reason idle; none follows this one as other-tab.
    expect(sent.filter((m) => m.type === 'signedOut').map((m) => parseTabMessage(m))).toEqual([undefined]);
  });

  it('a throwing event handler does not break monitoring', async () => {
    const t = setup();
    const spy = vi.fn(() => {
      throw new Error('app bug');
    });
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    process.on('uncaughtException', onError);
    t.monitor.on('status', spy);
    await t.started();
    t.reply('unchanged');
    await flush();
    process.off('uncaughtException', onError);
    expect(spy).toHaveBeenCalledTimes(1);
    await t.clock.advance(CONFIG.interval);
    expect(t.frame().posted).toHaveLength(2);
  });
});

function fakeLifecycle(visible = true) {
  let handler: ((signal: 'visible' | 'hidden' | 'resume') => void) | undefined;
  const lifecycle = {
    visible,
    isVisible: () => lifecycle.visible,
    subscribe(h: (signal: 'visible' | 'hidden' | 'resume') => void) {
      handler = h;
      return () => {
        handler = undefined;
      };
    },
    set(next: boolean) {
      lifecycle.visible = next;
      handler?.(next ? 'visible' : 'hidden');
    },
    resume() {
      handler?.('resume');
    },
    get subscribed() {
      return handler !== undefined;
    },
  };
  return lifecycle;
}

describe('visibility', () => {
  it('does not poll while the page is hidden, and checks at once when it is shown', async () => {
    const lifecycle = fakeLifecycle();
    const t = setup({ lifecycle });
    await t.started();
    t.reply('unchanged');
    lifecycle.set(false);
    await t.clock.advance(10_000);
    expect(t.frame().posted).toHaveLength(1);
    expect(t.clock.pending).toBe(0);
    lifecycle.set(true);
    expect(t.frame().posted).toHaveLength(2);
  });

  it('checks at once on focus, online or a back/forward-cache restore', async () => {
    const lifecycle = fakeLifecycle();
    const t = setup({ lifecycle });
    await t.started();
    t.reply('unchanged');
    lifecycle.resume();
    expect(t.frame().posted).toHaveLength(2);
  });

  it('a hidden page keeps no keep-alive timer; the keep-alive period starts over when it is shown', async () => {
    const lifecycle = fakeLifecycle();
    const t = setup({ lifecycle, config: { keepAlive: 10_000, interval: 60_000 } });
    await t.started();
    t.reply('unchanged');
    lifecycle.set(false);
    expect(t.clock.pending).toBe(0);
    await t.clock.advance(60_000);
    expect(t.rechecks).toHaveLength(0);
    lifecycle.set(true);
    t.reply('unchanged');
    await t.clock.advance(9_999);
    expect(t.rechecks).toHaveLength(0);
    await t.clock.advance(1);
    expect(t.rechecks).toHaveLength(1);
  });

  it('an outage while hidden ends with no timer: the frame is replaced when the page is shown', async () => {
    const lifecycle = fakeLifecycle();
    const t = setup({ lifecycle, config: { frameTimeout: 2000 } });
    await t.started();
    t.reply('unchanged');
    // The OP goes down: the poll sent before the page was hidden is never answered.
    await t.clock.advance(1000);
    lifecycle.set(false);
    await t.clock.advance(60_000);
    expect(t.of('unavailable').map((u) => u.reason)).toEqual(['no-reply']);
    expect(t.frames).toHaveLength(1);
    expect(t.clock.pending).toBe(0);
    lifecycle.set(true);
    expect(t.frames).toHaveLength(2);
    t.frame().callbacks.onLoad();
    expect(t.frame().posted).toEqual(['client-a state-1']);
  });

  it('a page that starts hidden loads the frame but polls only once shown', async () => {
    const lifecycle = fakeLifecycle(false);
    const t = setup({ lifecycle });
    await t.started();
    expect(t.frame().posted).toHaveLength(0);
    lifecycle.set(true);
    expect(t.frame().posted).toEqual(['client-a state-1']);
  });

  it('stop unsubscribes from the page lifecycle', async () => {
    const lifecycle = fakeLifecycle();
    const t = setup({ lifecycle });
    await t.started();
    expect(lifecycle.subscribed).toBe(true);
    t.monitor.stop();
    expect(lifecycle.subscribed).toBe(false);
  });

  it('a sign-out (without anonymous monitoring) also unsubscribes: no page listener outlives the monitor', async () => {
    const lifecycle = fakeLifecycle();
    const t = setup({ lifecycle });
    await t.started();
    t.monitor.signOutFrom('other-tab');
    await flush();
    expect(lifecycle.subscribed).toBe(false);
  });
});

describe('leading and following tabs', () => {
  it('a follower reads its session but creates no frame and makes no request until it leads', async () => {
    const watched: Array<string | undefined> = [];
    const t = setup({ watch: (sub) => void watched.push(sub) });
    t.monitor.start({ coordinated: true });
    await t.clock.advance(10_000);
    expect(watched).toEqual(['alice']);
    expect(t.frames).toHaveLength(0);
    expect(t.clock.pending).toBe(0);
    t.monitor.lead(true);
    await flush();
    t.frame().callbacks.onLoad();
    expect(t.frame().posted).toEqual(['client-a state-1']);
  });

  it('a leader that steps down drops its frame and timers', async () => {
    const t = setup();
    await t.startedLeading();
    t.reply('unchanged');
    t.monitor.lead(false);
    expect(t.frame().disposed).toBe(true);
    expect(t.clock.pending).toBe(0);
    expect(t.monitor.state).toBe('monitoring');
  });

  it('a follower mirrors what the poller of its own user found', async () => {
    const t = setup();
    t.monitor.start({ coordinated: true });
    await flush();
    t.monitor.follow({ type: 'unavailable', sub: 'alice', reason: 'error-status', detail: 'x', retrying: true });
    expect(t.monitor.state).toBe('unavailable');
    t.monitor.follow({ type: 'monitoring', sub: 'alice' });
    expect(t.monitor.state).toBe('monitoring');
    t.monitor.follow({ type: 'refreshed', sub: 'alice', session_state: 'state-2', previous_session_state: 'state-1' });
    expect(t.of('refreshed')).toHaveLength(1);
    expect(t.of('unavailable')).toHaveLength(1);
    expect(t.rechecks).toHaveLength(0);
  });

  it("a follower ignores what another user's poller found", async () => {
    const t = setup();
    t.monitor.start({ coordinated: true });
    await flush();
    t.monitor.follow({ type: 'unavailable', sub: 'bob', reason: 'error-status', detail: 'x', retrying: true });
    t.monitor.follow({ type: 'refreshed', sub: 'bob', session_state: 'state-9', previous_session_state: 'state-8' });
    t.monitor.follow({ type: 'signedOut', sub: 'bob', reason: 'login_required' });
    t.monitor.follow({ type: 'userChanged', previousSub: 'bob', sub: 'alice' });
    await flush();
    expect(t.monitor.state).toBe('starting');
    expect(t.seen).toEqual([]);
    expect(t.signOuts).toEqual([]);
  });

  it('every tab of the same user, leading or not, signs out when another tab signed that user out', async () => {
    const t = setup();
    await t.started();
    t.monitor.follow({ type: 'signedOut', sub: 'alice', reason: 'login_required' });
    await flush();
    expect(t.signOuts).toEqual(['other-tab']);
    expect(t.of('signedOut')).toEqual([{ reason: 'other-tab', sub: 'alice' }]);
    expect(t.frame().disposed).toBe(true);
  });

  it('a user switch away from this tab\'s user, found by another tab, signs this one out', async () => {
    const t = setup();
    t.monitor.start({ coordinated: true });
    await flush();
    t.monitor.follow({ type: 'userChanged', previousSub: 'alice', sub: 'bob' });
    await flush();
    expect(t.of('userChanged')).toEqual([{ previousSub: 'alice', sub: 'bob' }]);
    expect(t.monitor.state).toBe('signedOut');
  });

  it('a tab whose user is the new one stays signed in when another tab reports the switch', async () => {
    const t = setup({ session: { session_state: 'state-b', sub: 'bob', id_token: 'id-b' } });
    await t.started();
    t.monitor.follow({ type: 'userChanged', previousSub: 'alice', sub: 'bob' });
    t.monitor.follow({ type: 'signedOut', sub: 'alice', reason: 'login_required' });
    await flush();
    expect(t.signOuts).toEqual([]);
    expect(t.monitor.state).toBe('starting');
  });

  it('tells the other tabs about a sign-out before the app hears of it (an app that stops on signedOut still informed them)', async () => {
    const sent: unknown[] = [];
    const t = setup({ broadcast: (message) => void sent.push(message) });
    t.monitor.on('signedOut', () => t.monitor.stop());
    await t.started();
    t.reply('changed');
    t.rechecks[0]!.resolve({ kind: 'signedOut', error: 'login_required' });
    await flush();
    expect(sent).toContainEqual({ type: 'signedOut', reason: 'login_required', sub: 'alice' });
  });

  it('a follower shows the same unavailable once, however many tabs say hello', async () => {
    const t = setup();
    t.monitor.start({ coordinated: true });
    await flush();
    for (let i = 0; i < 3; i++) t.monitor.follow({ type: 'unavailable', sub: 'alice', reason: 'loop-guard', detail: 'x', retrying: true });
    expect(t.of('unavailable')).toHaveLength(1);
  });

  it('a tab that starts following asks the poller where it stands, and the poller answers', async () => {
    const sent: unknown[] = [];
    const follower = setup({ broadcast: (message) => void sent.push(message) });
    follower.monitor.start({ coordinated: true });
    await flush();
    expect(sent).toEqual([{ type: 'hello', sub: 'alice' }]);

    const answers: unknown[] = [];
    const leader = setup({ broadcast: (message) => void answers.push(message), resolveCheckSessionIframe: async () => undefined, config: { mode: 'iframe' } });
    leader.monitor.start();
    await flush();
    expect(leader.monitor.state).toBe('unavailable');
    answers.length = 0;
    leader.monitor.follow({ type: 'hello', sub: 'alice' });
    leader.monitor.follow({ type: 'hello', sub: 'bob' });
    expect(answers).toEqual([{ type: 'unavailable', sub: 'alice', reason: 'unsupported', detail: expect.any(String), retrying: false }]);

    follower.monitor.follow(answers[0] as never);
    expect(follower.monitor.state).toBe('unavailable');
  });

  it('a leader ignores mirrored results (it finds them itself)', async () => {
    const t = setup();
    await t.started();
    t.monitor.follow({ type: 'unavailable', sub: 'alice', reason: 'error-status', detail: 'x', retrying: true });
    expect(t.monitor.state).toBe('starting');
  });

  it('the poller tells the other tabs what it found, naming its user', async () => {
    const sent: unknown[] = [];
    const t = setup({ broadcast: (message) => void sent.push(message) });
    await t.started();
    t.reply('changed');
    t.rechecks[0]!.resolve({ kind: 'authenticated', sub: 'alice', session_state: 'state-2' });
    await flush();
    await t.clock.advance(1000);
    t.reply('changed');
    t.rechecks[1]!.resolve({ kind: 'authenticated', sub: 'bob', session_state: 'state-3' });
    await flush();
    expect(sent.filter((m) => (m as { type: string }).type !== 'monitoring')).toEqual([
      { type: 'refreshed', sub: 'alice', session_state: 'state-2', previous_session_state: 'state-1' },
      { type: 'userChanged', previousSub: 'alice', sub: 'bob' },
    ]);
    // Whenever the poller is back to monitoring (after the re-check), followers hear it too.
    expect(sent).toContainEqual({ type: 'monitoring', sub: 'alice' });
  });
});

describe('third-party cookies', () => {
  function memory(initial: Record<string, 'visible' | 'blocked'> = {}) {
    const stored = { ...initial };
    return { stored, read: (s: string) => stored[s] ?? ('unknown' as const), remember: (s: string, e: 'visible' | 'blocked') => void (stored[s] = e) };
  }
  const crossSite = () => true;

  it('cross-site, changed then login_required before the iframe ever saw the cookies: no sign-out, one prompt=none, polling goes on', async () => {
    const cookies = memory();
    const t = setup({ isCrossSite: crossSite, cookieMemory: cookies, session: { session_state: 's', sub: 'alice' } });
    await t.started();
    t.reply('changed');
    expect(t.rechecks).toHaveLength(1);
    t.rechecks[0]!.resolve({ kind: 'signedOut', error: 'login_required' });
    await flush();
    expect(t.of('unavailable')).toMatchObject([{ reason: 'third-party-cookies-blocked', retrying: true }]);
    expect(t.of('signedOut')).toHaveLength(0);
    expect(t.signOuts).toEqual([]);
    expect(cookies.stored).toEqual({ s: 'blocked' });
    // Polling goes on, and `changed` no longer starts a prompt=none: nothing can loop.
    for (let i = 0; i < 200; i++) {
      await t.clock.advance(250);
      if (t.frame().posted.length > t.of('status').length) t.reply('changed');
    }
    expect(t.of('status').length).toBeGreaterThan(5);
    expect(t.rechecks).toHaveLength(1);
    expect(t.signOuts).toEqual([]);
  });

  it('does not depend on when the user signed in or on the OP clock: the same at any time of day', async () => {
    for (const start of [0, 1_000_000, 86_400_000 * 365]) {
      const t = setup({ isCrossSite: crossSite, cookieMemory: memory(), session: { session_state: 's', sub: 'alice', id_token: 'x' } });
      await t.clock.advance(start);
      await t.started();
      t.reply('changed');
      t.rechecks[0]!.resolve({ kind: 'signedOut', error: 'login_required' });
      await flush();
      expect(t.signOuts).toEqual([]);
    }
  });

  it('cross-site, once the iframe answered unchanged for this session, a sign-out is believed', async () => {
    const cookies = memory();
    const t = setup({ isCrossSite: crossSite, cookieMemory: cookies, session: { session_state: 's', sub: 'alice' } });
    await t.started();
    t.reply('unchanged');
    expect(cookies.stored).toEqual({ s: 'visible' });
    await t.clock.advance(1000);
    t.reply('changed');
    t.rechecks[0]!.resolve({ kind: 'signedOut', error: 'login_required' });
    await flush();
    expect(t.of('signedOut')).toEqual([{ reason: 'login_required', sub: 'alice' }]);
  });

  it('cross-site, evidence from an earlier page load is not enough: cookie access may have been lost since', async () => {
    const t = setup({ isCrossSite: crossSite, cookieMemory: memory({ s: 'visible' }), session: { session_state: 's', sub: 'alice' } });
    await t.started();
    t.reply('changed');
    t.rechecks[0]!.resolve({ kind: 'signedOut', error: 'login_required' });
    await flush();
    expect(t.of('signedOut')).toEqual([]);
    expect(t.of('unavailable')).toMatchObject([{ reason: 'third-party-cookies-blocked' }]);
  });

  it('cross-site, evidence ends with the frame that gave it: after a replaced frame a sign-out answer needs a new unchanged', async () => {
    const t = setup({ isCrossSite: crossSite, cookieMemory: memory(), session: { session_state: 's', sub: 'alice' } });
    await t.started();
    t.reply('unchanged');
    // The OP iframe stops answering and is replaced.
    await t.clock.advance(2000);
    expect(t.of('unavailable')).toMatchObject([{ reason: 'no-reply' }]);
    while (t.frames.length === 1) await t.clock.advance(100);
    t.frame().callbacks.onLoad();
    t.reply('changed');
    t.rechecks[0]!.resolve({ kind: 'signedOut', error: 'login_required' });
    await flush();
    expect(t.of('signedOut')).toEqual([]);
  });

  it('cross-site, prompt=none that never answers twice without cookie evidence counts as blocked cookies: no endless re-checks', async () => {
    const t = setup({ isCrossSite: crossSite, cookieMemory: memory(), session: { session_state: 's', sub: 'alice' }, config: { maxRechecks: 100 } });
    await t.started();
    for (let i = 0; i < 400; i++) {
      if (t.frame().posted.length > t.of('status').length) t.reply('changed');
      await t.clock.advance(250);
    }
    expect(t.rechecks).toHaveLength(2);
    expect(t.of('unavailable')).toMatchObject([{ reason: 'third-party-cookies-blocked' }]);
    expect(t.signOuts).toEqual([]);
  });

  it('cross-site, another user\'s validated ID token is a sign-out even without cookie evidence', async () => {
    const t = setup({ isCrossSite: crossSite, cookieMemory: memory(), session: { session_state: 's', sub: 'alice' } });
    await t.started();
    t.reply('changed');
    t.rechecks[0]!.resolve({ kind: 'authenticated', sub: 'bob', session_state: 's2' });
    await flush();
    expect(t.of('userChanged')).toEqual([{ previousSub: 'alice', sub: 'bob' }]);
  });

  it('cross-site, a real SSO change is refreshed, and evidence carries over to the same user\'s new session_state', async () => {
    const cookies = memory();
    const t = setup({ isCrossSite: crossSite, cookieMemory: cookies, session: { session_state: 's', sub: 'alice' } });
    await t.started();
    t.reply('unchanged');
    await t.clock.advance(1000);
    t.reply('changed');
    t.rechecks[0]!.resolve({ kind: 'authenticated', sub: 'alice', session_state: 's2' });
    await flush();
    expect(t.of('refreshed')).toHaveLength(1);
    expect(cookies.stored.s2).toBe('visible');
    // A real sign-out right after the refresh is still a sign-out.
    await t.clock.advance(1000);
    t.reply('changed');
    t.rechecks[1]!.resolve({ kind: 'signedOut', error: 'login_required' });
    await flush();
    expect(t.of('signedOut')).toEqual([{ reason: 'login_required', sub: 'alice' }]);
  });

  it('cross-site, re-checks that succeed and are changed again at once twice mean blocked cookies: then no more prompt=none', async () => {
    let n = 0;
    const t = setup({ isCrossSite: crossSite, cookieMemory: memory(), recheck: async () => ({ kind: 'authenticated', sub: 'alice', session_state: `again-${++n}` }) });
    await t.started();
    t.reply('changed');
    await flush();
    await t.clock.advance(1000);
    t.reply('changed');
    await flush();
    await t.clock.advance(1000);
    t.reply('changed');
    await flush();
    expect(n).toBe(2);
    expect(t.of('unavailable')).toMatchObject([{ reason: 'third-party-cookies-blocked' }]);
    for (let i = 0; i < 200; i++) {
      await t.clock.advance(250);
      if (t.frame().posted.length > t.of('status').length) t.reply('changed');
    }
    expect(n).toBe(2);
    expect(t.signOuts).toEqual([]);
  });

  it('after a reload, remembered blocking for this session means no re-check at all', async () => {
    const t = setup({ isCrossSite: crossSite, cookieMemory: memory({ s: 'blocked' }), session: { session_state: 's', sub: 'alice' } });
    await t.started();
    t.reply('changed');
    expect(t.rechecks).toHaveLength(0);
    expect(t.of('unavailable')).toMatchObject([{ reason: 'third-party-cookies-blocked' }]);
  });

  it('an unchanged answer after blocking brings monitoring back and is remembered', async () => {
    const cookies = memory({ s: 'blocked' });
    const t = setup({ isCrossSite: crossSite, cookieMemory: cookies, session: { session_state: 's', sub: 'alice' } });
    await t.started();
    t.reply('unchanged');
    expect(cookies.stored).toEqual({ s: 'visible' });
    expect(t.monitor.state).toBe('monitoring');
  });

  it('same-site, a changed then login_required is a real sign-out, with no evidence needed', async () => {
    const t = setup({ isCrossSite: () => false, cookieMemory: memory(), session: { session_state: 's', sub: 'alice' } });
    await t.started();
    t.reply('changed');
    t.rechecks[0]!.resolve({ kind: 'signedOut', error: 'login_required' });
    await flush();
    expect(t.of('signedOut')).toEqual([{ reason: 'login_required', sub: 'alice' }]);
  });
});

describe('keep-alive', () => {
  it('re-checks periodically while visible, without counting toward the loop guard', async () => {
    let n = 0;
    const t = setup({ config: { keepAlive: 10_000, maxRechecks: 1 }, recheck: async () => ({ kind: 'authenticated', sub: 'alice', session_state: `k${++n}` }) });
    await t.started();
    for (let i = 0; i < 30; i++) {
      if (t.frame().posted.length > t.of('status').length) t.reply('unchanged');
      await t.clock.advance(1000);
    }
    expect(n).toBe(3);
    expect(t.of('unavailable')).toHaveLength(0);
    expect(t.frame().posted.at(-1)).toMatch(/^client-a k\d$/);
  });

  it('is off by default', async () => {
    const t = setup();
    await t.started();
    for (let i = 0; i < 30; i++) {
      if (t.frame().posted.length > t.of('status').length) t.reply('unchanged');
      await t.clock.advance(1000);
    }
    expect(t.rechecks).toHaveLength(0);
  });
});

describe('anonymous monitoring', () => {
  it('before sign-in: learns the anonymous session_state with one prompt=none, watches it, and reports signedIn', async () => {
    const t = setup({ session: null, config: { anonymous: true } });
    await t.started();
    expect(t.frame().posted).toEqual([]);
    expect(t.rechecks).toHaveLength(1);
    t.rechecks[0]!.resolve({ kind: 'signedOut', error: 'login_required', session_state: 'anon-1' });
    await flush();
    expect(t.of('signedOut')).toEqual([]);
    await t.clock.advance(1000);
    expect(t.frame().posted).toEqual(['client-a anon-1']);
    t.reply('unchanged');
    await t.clock.advance(1000);
    t.reply('changed');
    t.rechecks[1]!.resolve({ kind: 'authenticated', sub: 'bob', session_state: 'bob-1' });
    await flush();
    expect(t.of('signedIn')).toEqual([{ sub: 'bob', session_state: 'bob-1' }]);
    await t.clock.advance(1000);
    expect(t.frame().posted.at(-1)).toBe('client-a bob-1');
    expect(t.monitor.state).toBe('monitoring');
  });

  it('after a sign-out: keeps watching with the session_state sent with the prompt=none error', async () => {
    const t = setup({ config: { anonymous: true } });
    await t.started();
    t.reply('changed');
    t.rechecks[0]!.resolve({ kind: 'signedOut', error: 'login_required', session_state: 'anon-9' });
    await flush();
    expect(t.of('signedOut')).toEqual([{ reason: 'login_required', sub: 'alice' }]);
    // The local user is gone now; the monitor starts again, anonymously.
    t.frame().callbacks.onLoad();
    expect(t.frame().posted).toEqual(['client-a anon-9']);
    expect(t.rechecks).toHaveLength(1);
  });

  it('on the post-logout page: polls first with the last known session_state', async () => {
    const t = setup({ session: null, config: { anonymous: true }, takeLastSessionState: () => 'last-1' });
    await t.started();
    expect(t.frame().posted).toEqual(['client-a last-1']);
    expect(t.rechecks).toHaveLength(0);
  });

  it('without a session_state in the prompt=none error there is nothing to watch: unavailable, no loop', async () => {
    const t = setup({ session: null, config: { anonymous: true } });
    await t.started();
    t.rechecks[0]!.resolve({ kind: 'signedOut', error: 'login_required' });
    await flush();
    expect(t.of('unavailable')).toMatchObject([{ reason: 'not-signed-in', retrying: false }]);
    await t.clock.advance(60_000);
    expect(t.rechecks).toHaveLength(1);
  });
});

describe('a failed token renewal', () => {
  const failure = () => new OidcSessionMonitorError(ErrorCode.RenewalFailed, 'token renewal failed (invalid_grant)');

  it('is reported and re-checked with prompt=none although the OP iframe says unchanged; new tokens → refreshed', async () => {
    const accepted: string[] = [];
    const t = setup({ accept: async (result) => void accepted.push(result.session_state) });
    await t.started();
    t.reply('unchanged');
    let settled = false;
    const done = t.monitor.renewalFailed(failure(), false).then(() => (settled = true));
    expect(t.of('error').map((e) => e.error.code)).toEqual([ErrorCode.RenewalFailed]);
    expect(t.rechecks).toHaveLength(1);
    expect(t.monitor.state).toBe('rechecking');
    await flush();
    expect(settled).toBe(false);
    t.rechecks[0]!.resolve({ kind: 'authenticated', sub: 'alice', session_state: 'state-2', id_token: 'id-2' });
    await done;
    expect(accepted).toEqual(['state-2']);
    expect(t.of('refreshed')).toEqual([{ sub: 'alice', session_state: 'state-2', previous_session_state: 'state-1' }]);
    expect(t.monitor.state).toBe('monitoring');
  });

  it('signs out only on the OP word, and settles after the local user is removed', async () => {
    const t = setup();
    await t.started();
    t.reply('unchanged');
    const done = t.monitor.renewalFailed(failure(), false);
    t.rechecks[0]!.resolve({ kind: 'signedOut', error: 'login_required' });
    await done;
    expect(t.signOuts).toEqual(['login_required']);
    expect(t.of('signedOut')).toEqual([{ reason: 'login_required', sub: 'alice' }]);
  });

  it('stays signed in when the re-check cannot tell (unknown is not signed out)', async () => {
    const t = setup();
    await t.started();
    t.reply('unchanged');
    const done = t.monitor.renewalFailed(failure(), false);
    t.rechecks[0]!.reject(new Error('network down'));
    await done;
    expect(t.signOuts).toEqual([]);
    expect(t.of('error').map((e) => e.error.code)).toEqual([ErrorCode.RenewalFailed, ErrorCode.RecheckFailed]);
  });

  it('is re-checked by a tab that does not poll (the tab whose renewal failed holds the tokens)', async () => {
    const t = setup();
    t.monitor.start({ coordinated: true });
    await flush();
    expect(t.frames).toHaveLength(0);
    const done = t.monitor.renewalFailed(failure(), false);
    expect(t.rechecks).toHaveLength(1);
    t.rechecks[0]!.resolve({ kind: 'signedOut', error: 'login_required' });
    await done;
    expect(t.signOuts).toEqual(['login_required']);
  });

  it('across sites, a tab that does not poll does not believe a sign-out answer: blocked cookies look the same (SM §5.1)', async () => {
    const t = setup();
    t.monitor.start({ coordinated: true });
    await flush();
    const done = t.monitor.renewalFailed(failure(), true);
    t.rechecks[0]!.resolve({ kind: 'signedOut', error: 'login_required' });
    await done;
    expect(t.signOuts).toEqual([]);
    expect(t.of('signedOut')).toEqual([]);
    expect(t.of('error').map((e) => e.error.code)).toEqual([ErrorCode.RenewalFailed, ErrorCode.RecheckFailed]);
  });

  it('stays within the loop guard: beyond maxRechecks it reports loop-guard and settles without a re-check', async () => {
    const t = setup({ config: { maxRechecks: 2 } });
    await t.started();
    t.reply('unchanged');
    for (let i = 0; i < 2; i++) {
      const done = t.monitor.renewalFailed(failure(), false);
      t.rechecks[i]!.reject(new Error('network down'));
      await done;
    }
    await t.monitor.renewalFailed(failure(), false);
    expect(t.rechecks).toHaveLength(2);
    expect(t.of('unavailable').map((u) => u.reason)).toContain('loop-guard');
  });

  it('joins a re-check already running, and settles when it is over', async () => {
    const t = setup();
    await t.started();
    t.reply('changed');
    expect(t.rechecks).toHaveLength(1);
    const done = t.monitor.renewalFailed(failure(), false);
    expect(t.rechecks).toHaveLength(1);
    t.rechecks[0]!.resolve({ kind: 'authenticated', sub: 'alice', session_state: 'state-2' });
    await done;
    expect(t.of('refreshed')).toHaveLength(1);
  });

  it('settles at once when stopped, or when nobody is signed in', async () => {
    const t = setup();
    await t.started();
    t.monitor.stop();
    await t.monitor.renewalFailed(failure(), false);
    expect(t.rechecks).toHaveLength(0);
    const anonymous = setup({ session: null });
    await anonymous.monitor.renewalFailed(failure(), false);
    expect(anonymous.rechecks).toHaveLength(0);
  });
});

describe('watching by re-check (an OP without check_session_iframe)', () => {
  const noIframe = async () => undefined;
  const same = (session_state = '') => ({ kind: 'authenticated' as const, sub: 'alice', session_state });
  /** Starts watching by re-check and answers the first prompt=none with the same user. */
  async function watching(overrides: Parameters<typeof setup>[0] = {}) {
    const t = setup({ resolveCheckSessionIframe: noIframe, session: { session_state: '', sub: 'alice', id_token: 'id-1' }, ...overrides });
    t.monitor.start();
    await flush();
    expect(t.rechecks).toHaveLength(1);
    t.rechecks[0]!.resolve(same());
    await flush();
    return t;
  }

  it('asks the OP with prompt=none at once and then every recheckInterval while visible, with no iframe and no session_state needed', async () => {
    const t = await watching();
    expect(t.frames).toHaveLength(0);
    expect(t.of('unavailable')).toEqual([]);
    expect(t.monitor.state).toBe('monitoring');
    expect(t.of('refreshed')).toEqual([{ sub: 'alice', session_state: '', previous_session_state: '' }]);
    await t.clock.advance(59_999);
    expect(t.rechecks).toHaveLength(1);
    await t.clock.advance(1);
    expect(t.rechecks).toHaveLength(2);
    // One timer at a time: the re-check's deadline.
    expect(t.clock.pending).toBe(1);
  });

  it("mode: 'auto' watches a sign-in without session_state by re-check even where the OP has an iframe; mode: 'recheck' never loads the iframe", async () => {
    for (const config of [{}, { mode: 'recheck' as const }]) {
      const session = 'mode' in config ? { session_state: 'state-1', sub: 'alice' } : { session_state: '', sub: 'alice' };
      const t = setup({ session, config });
      t.monitor.start();
      await flush();
      expect(t.frames).toHaveLength(0);
      expect(t.rechecks).toHaveLength(1);
    }
  });

  it('a burst of focus, shown and online signals makes at most one re-check per minRecheckInterval, and one inside it is taken when it ends', async () => {
    const lifecycle = fakeLifecycle();
    const t = await watching({ lifecycle });
    for (let i = 0; i < 20; i++) {
      lifecycle.resume();
      lifecycle.set(false);
      lifecycle.set(true);
      await t.clock.advance(400);
    }
    // 8 s of signals after the first check at 0 s: none yet, as the gap is 10 s.
    expect(t.rechecks).toHaveLength(1);
    await t.clock.advance(2000);
    expect(t.rechecks).toHaveLength(2);
    // The one that waited for the gap's end: the OP says the user signed out elsewhere meanwhile.
    t.rechecks[1]!.resolve({ kind: 'signedOut', error: 'login_required' });
    await flush();
    expect(t.of('signedOut')).toEqual([{ reason: 'login_required', sub: 'alice' }]);
  });

  it('a focus after the gap re-checks at once', async () => {
    const lifecycle = fakeLifecycle();
    const t = await watching({ lifecycle });
    await t.clock.advance(10_000);
    lifecycle.resume();
    expect(t.rechecks).toHaveLength(2);
    t.monitor.checkNow();
    expect(t.rechecks).toHaveLength(2);
  });

  it('a hidden page asks nothing and keeps no timer; shown again, it re-checks at once', async () => {
    const lifecycle = fakeLifecycle();
    const t = await watching({ lifecycle });
    lifecycle.set(false);
    expect(t.clock.pending).toBe(0);
    await t.clock.advance(3_600_000);
    expect(t.rechecks).toHaveLength(1);
    lifecycle.set(true);
    expect(t.rechecks).toHaveLength(2);
  });

  it('OP down: re-checks that fail or time out keep the user, back off from minRecheckInterval up to recheckInterval, and recover', async () => {
    const t = await watching({ config: { recheckTimeout: 3000 } });
    const times: number[] = [];
    for (let i = 0; i < 8; i++) {
      while (t.rechecks.length === i + 1) await t.clock.advance(100);
      times.push(t.clock.now());
      if (i % 2) t.rechecks[i + 1]!.reject(new TypeError('Failed to fetch'));
    }
    expect(t.signOuts).toEqual([]);
    expect(t.of('signedOut')).toEqual([]);
    expect(t.of('error').length).toBeGreaterThanOrEqual(7);
    const gaps = times.slice(1).map((at, i) => at - times[i]!);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(10_000);
    for (const gap of gaps) expect(gap).toBeLessThanOrEqual(60_000 + 3000);
    // The OP is back.
    while (t.rechecks.length === 9) await t.clock.advance(100);
    t.rechecks[9]!.resolve(same());
    await flush();
    expect(t.of('refreshed')).toHaveLength(2);
    expect(t.monitor.state).toBe('monitoring');
  });

  it('another user in the answer is a user switch; login_required is a sign-out (same site)', async () => {
    const t = await watching();
    await t.clock.advance(60_000);
    t.rechecks[1]!.resolve({ kind: 'authenticated', sub: 'bob', session_state: '' });
    await flush();
    expect(t.of('userChanged')).toEqual([{ previousSub: 'alice', sub: 'bob' }]);
    expect(t.signOuts).toEqual(['login_required']);
  });

  it('across sites, a sign-out answer before the OP ever authenticated this user in a prompt=none is not believed: unavailable, no more prompt=none, no loop', async () => {
    const lifecycle = fakeLifecycle();
    const t = setup({ lifecycle, resolveCheckSessionIframe: noIframe, issuer: 'https://op.example', isCrossSite: (url) => url === 'https://op.example', session: { session_state: '', sub: 'alice' } });
    t.monitor.start();
    await flush();
    t.rechecks[0]!.resolve({ kind: 'signedOut', error: 'login_required' });
    await flush();
    expect(t.of('unavailable')).toMatchObject([{ reason: 'third-party-cookies-blocked', retrying: false }]);
    expect(t.signOuts).toEqual([]);
    for (let i = 0; i < 50; i++) {
      lifecycle.resume();
      await t.clock.advance(60_000);
    }
    expect(t.rechecks).toHaveLength(1);
    expect(t.clock.pending).toBe(0);
  });

  it('across sites, once a prompt=none authenticated this user, a later sign-out answer is believed', async () => {
    const t = await watching({ issuer: 'https://op.example', isCrossSite: () => true });
    await t.clock.advance(60_000);
    t.rechecks[1]!.resolve({ kind: 'signedOut', error: 'login_required' });
    await flush();
    expect(t.of('signedOut')).toEqual([{ reason: 'login_required', sub: 'alice' }]);
  });

  it('its guard is the minimum gap: a short recheckInterval is not mistaken for a changed loop (maxRechecks is for those)', async () => {
    const t = await watching({ config: { minRecheckInterval: 1000, recheckInterval: 5000, maxRechecks: 3, recheckWindow: 60_000 } });
    for (let i = 1; i < 12; i++) {
      await t.clock.advance(5000);
      t.rechecks[i]!.resolve(same());
      await flush();
    }
    expect(t.rechecks).toHaveLength(12);
    expect(t.of('unavailable')).toEqual([]);
  });

  it('a tab that follows hears the polling tab\'s re-checks, and leading next keeps the gap from the last one', async () => {
    const t = setup({ resolveCheckSessionIframe: noIframe, session: { session_state: '', sub: 'alice' } });
    t.monitor.start({ coordinated: true });
    await flush();
    await t.clock.advance(600_000);
    expect(t.rechecks).toHaveLength(0);
    t.monitor.follow({ type: 'refreshed', sub: 'alice', session_state: '', previous_session_state: '' });
    expect(t.of('refreshed')).toHaveLength(1);
    await t.clock.advance(4000);
    t.monitor.lead(true);
    await flush();
    expect(t.rechecks).toHaveLength(0);
    await t.clock.advance(6000);
    expect(t.rechecks).toHaveLength(1);
  });

  it('keeps no keep-alive timer: the re-checks are the keep-alive', async () => {
    const t = await watching({ config: { keepAlive: 10_000 } });
    await t.clock.advance(59_000);
    expect(t.rechecks).toHaveLength(1);
  });
});
