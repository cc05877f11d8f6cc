import { afterEach, describe, expect, it, vi } from 'vitest';
import { browserIdleEnvironment } from '../../src/idle/idle-environment.js';

// The page's side of the idle watch (src/idle/idle-environment.ts) in happy-dom: which storage events, page events
// and messages reach the watch, and which Web Lock it decides under.

/** Unsubscribes what a test subscribed, so that no listener outlives it. */
const cleanup: Array<() => void> = [];
afterEach(() => {
  cleanup.splice(0).forEach((off) => off());
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  document.body.replaceChildren();
});

/** A Web Locks model: one holder per name at a time, the others wait in order. */
function fakeLocks() {
  const tails = new Map<string, Promise<unknown>>();
  const names: string[] = [];
  return {
    names,
    request(name: string, callback: () => unknown): Promise<unknown> {
      names.push(name);
      const run = (tails.get(name) ?? Promise.resolve()).then(() => callback());
      tails.set(
        name,
        run.catch(() => {}),
      );
      return run;
    },
  };
}

describe('storage events', () => {
  it("hears another tab's localStorage writes and clears, not sessionStorage's, and nothing once unsubscribed", () => {
    const heard: Array<[string | null, string | null]> = [];
    const unsubscribe = browserIdleEnvironment().onStorage((key, value) => heard.push([key, value]));
    window.dispatchEvent(new StorageEvent('storage', { key: 'k', newValue: 'local', storageArea: localStorage }));
    window.dispatchEvent(new StorageEvent('storage', { key: 'k', newValue: 'session', storageArea: sessionStorage }));
    window.dispatchEvent(new StorageEvent('storage', { key: null, newValue: null, storageArea: null }));
    unsubscribe();
    window.dispatchEvent(new StorageEvent('storage', { key: 'k', newValue: 'later', storageArea: localStorage }));
    expect(heard).toEqual([
      ['k', 'local'],
      [null, null],
    ]);
  });

  it('hears the writes of a page whose localStorage is blocked only as clears', () => {
    vi.spyOn(window, 'localStorage', 'get').mockImplementation(() => {
      throw new DOMException('Access is denied.', 'SecurityError');
    });
    const heard: Array<string | null> = [];
    cleanup.push(browserIdleEnvironment().onStorage((key) => heard.push(key)));
    window.dispatchEvent(new StorageEvent('storage', { key: 'k', newValue: 'v', storageArea: sessionStorage }));
    window.dispatchEvent(new StorageEvent('storage', { key: null, newValue: null, storageArea: null }));
    expect(heard).toEqual([null]);
  });
});

describe('activity on the page', () => {
  it('counts the listed events, not others, and nothing once unsubscribed', () => {
    let count = 0;
    const unsubscribe = browserIdleEnvironment().onActivity(['keydown'], () => count++);
    window.dispatchEvent(new Event('keydown'));
    window.dispatchEvent(new Event('pointerdown'));
    expect(count).toBe(1);
    unsubscribe();
    window.dispatchEvent(new Event('keydown'));
    document.dispatchEvent(new Event('visibilitychange'));
    expect(count).toBe(1);
  });

  it('counts an event the page stops from bubbling, or one that does not bubble (it listens in the capture phase)', () => {
    let count = 0;
    cleanup.push(browserIdleEnvironment().onActivity(['keydown', 'focus'], () => count++));
    const input = document.body.appendChild(document.createElement('input'));
    input.addEventListener('keydown', (event) => event.stopPropagation());
    input.dispatchEvent(new Event('keydown', { bubbles: true }));
    input.dispatchEvent(new Event('focus', { bubbles: false }));
    expect(count).toBe(2);
  });

  it('never blocks scrolling: its listeners are passive', () => {
    cleanup.push(browserIdleEnvironment().onActivity(['wheel'], ((event: Event) => event.preventDefault()) as () => void));
    const wheel = new Event('wheel', { cancelable: true });
    window.dispatchEvent(wheel);
    expect(wheel.defaultPrevented).toBe(false);
  });

  it('counts the page becoming visible, not its becoming hidden', () => {
    let visibility: DocumentVisibilityState = 'hidden';
    vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => visibility);
    let count = 0;
    cleanup.push(browserIdleEnvironment().onActivity([], () => count++));
    document.dispatchEvent(new Event('visibilitychange'));
    expect(count).toBe(0);
    visibility = 'visible';
    document.dispatchEvent(new Event('visibilitychange'));
    expect(count).toBe(1);
  });
});

describe('the decision lock', () => {
  it('is the Web Lock of the given name, held until the task settles', async () => {
    const locks = fakeLocks();
    vi.stubGlobal('navigator', { locks });
    const lock = browserIdleEnvironment().lock!;
    let release!: () => void;
    const order: string[] = [];
    const first = lock('decision', () => new Promise<void>((resolve) => (release = resolve)).then(() => void order.push('first')));
    const second = lock('decision', () => void order.push('second'));
    await vi.waitFor(() => expect(release).toBeTypeOf('function'));
    expect(order).toEqual([]);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
    expect(locks.names).toEqual(['decision', 'decision']);
  });

  it('is undefined where the page has no Web Locks', () => {
    vi.stubGlobal('navigator', { locks: null });
    expect(browserIdleEnvironment().lock).toBeUndefined();
    vi.stubGlobal('navigator', undefined);
    expect(browserIdleEnvironment().lock).toBeUndefined();
  });
});

describe('the channel between tabs', () => {
  it('carries messages to the other ends of the same name only, until unsubscribed or closed', async () => {
    const env = browserIdleEnvironment();
    const [sender, receiver, other] = [env.channel('alice'), env.channel('alice'), env.channel('bob')];
    const received: unknown[] = [];
    const own: unknown[] = [];
    const bobs: unknown[] = [];
    const unsubscribe = receiver!.onMessage((data) => received.push(data));
    sender!.onMessage((data) => own.push(data));
    other!.onMessage((data) => bobs.push(data));
    sender!.post({ t: 'hello' });
    await vi.waitFor(() => expect(received).toEqual([{ t: 'hello' }]));
    unsubscribe();
    const after: unknown[] = [];
    receiver!.onMessage((data) => after.push(data));
    sender!.post({ t: 'activity', ago: 1 });
    await vi.waitFor(() => expect(after).toEqual([{ t: 'activity', ago: 1 }]));
    receiver!.close();
    // A witness still open on alice's name: once it has the message, a closed end that still listened would have it too.
    const witness = env.channel('alice')!;
    const witnessed: unknown[] = [];
    witness.onMessage((data) => witnessed.push(data));
    sender!.post({ t: 'timedOut' });
    await vi.waitFor(() => expect(witnessed).toEqual([{ t: 'timedOut' }]));
    expect([received, after, own, bobs]).toEqual([[{ t: 'hello' }], [{ t: 'activity', ago: 1 }], [], []]);
    witness.close();
    sender!.close();
    other!.close();
  });

  it('swallows a message that cannot be sent (not cloneable, or the channel closed)', () => {
    const env = browserIdleEnvironment();
    const channel = env.channel('alice')!;
    expect(() => channel.post({ f: () => {} })).not.toThrow();
    channel.close();
    expect(() => channel.post({ t: 'hello' })).not.toThrow();
    expect(() => channel.close()).not.toThrow();
  });

  it('closing it closes the BroadcastChannel (a stopped watch holds none open)', () => {
    const close = vi.spyOn(BroadcastChannel.prototype, 'close');
    browserIdleEnvironment().channel('alice')!.close();
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('is undefined where the page has no BroadcastChannel, or cannot open one', () => {
    vi.stubGlobal('BroadcastChannel', undefined);
    expect(browserIdleEnvironment().channel('alice')).toBeUndefined();
    vi.stubGlobal(
      'BroadcastChannel',
      class {
        constructor() {
          throw new DOMException('Denied.', 'SecurityError');
        }
      },
    );
    expect(browserIdleEnvironment().channel('alice')).toBeUndefined();
  });
});

describe('the clock', () => {
  it('measures idle time on performance.now(), which setting the system clock does not move', () => {
    vi.spyOn(performance, 'now').mockReturnValue(1234.5);
    expect(browserIdleEnvironment().clock.monotonic()).toBe(1234.5);
  });
});
