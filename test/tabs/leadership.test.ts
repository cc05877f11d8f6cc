import { describe, expect, it, vi } from 'vitest';
import { createLeadership, type LockManagerLike } from '../../src/tabs/leadership.js';
import { flush } from '../support/fake-clock.js';
import { FakeLockManager, FakeLocks } from '../support/fake-locks.js';

function tab(locks: LockManagerLike, name = 'app') {
  const changes: boolean[] = [];
  const leadership = createLeadership(name, locks)!;
  leadership.start((leading) => changes.push(leading));
  return { leadership, changes, get leading() {
    return changes.at(-1) === true;
  } };
}

describe('leader election over Web Locks', () => {
  it('is unavailable without Web Locks (each tab then monitors alone)', () => {
    expect(createLeadership('app', undefined)).toBeUndefined();
  });

  it('makes exactly one of several tabs the leader', async () => {
    const locks = new FakeLocks();
    const tabs = [tab(locks), tab(locks), tab(locks), tab(locks), tab(locks)];
    await flush();
    expect(tabs.filter((t) => t.leading)).toHaveLength(1);
    expect(tabs[0]!.leading).toBe(true);
  });

  it('hands over to a waiting tab when the leader goes away', async () => {
    const locks = new FakeLocks();
    const first = tab(locks);
    const second = tab(locks);
    await flush();
    first.leadership.dispose();
    await flush();
    expect(second.leading).toBe(true);
  });

  it('a tab that claims (became visible) takes over, and the old leader waits again', async () => {
    const locks = new FakeLocks();
    const first = tab(locks);
    const second = tab(locks);
    await flush();
    second.leadership.claim();
    await flush();
    expect(second.leading).toBe(true);
    expect(first.changes).toEqual([true, false]);
    // The old leader queued again: it leads once the new one is gone.
    second.leadership.dispose();
    await flush();
    expect(first.leading).toBe(true);
  });

  it('a hidden leader hands over only when another tab waits', async () => {
    const locks = new FakeLocks();
    const alone = tab(locks);
    await flush();
    await alone.leadership.yieldToWaiting();
    await flush();
    expect(alone.changes).toEqual([true]);
    const other = tab(locks);
    await flush();
    await alone.leadership.yieldToWaiting();
    await flush();
    expect(other.leading).toBe(true);
    expect(alone.leading).toBe(false);
  });

  it('dispose withdraws a queued request and reports nothing more', async () => {
    const locks = new FakeLocks();
    const first = tab(locks);
    const second = tab(locks);
    await flush();
    second.leadership.dispose();
    first.leadership.dispose();
    await flush();
    expect(second.changes).toEqual([]);
    expect(locks.queue).toHaveLength(0);
  });
});

/** A lock manager whose grants the test hands out itself: the callback runs only when the test says so. */
class ManualLocks implements LockManagerLike {
  readonly requests: Array<{ options: { signal?: AbortSignal; steal?: boolean }; callback: (lock: unknown) => Promise<void> | void }> = [];

  request(_name: string, options: { signal?: AbortSignal; steal?: boolean }, callback: (lock: unknown) => Promise<void> | void): Promise<unknown> {
    this.requests.push({ options, callback });
    return new Promise((_resolve, reject) => {
      options.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
    });
  }

  /** Runs request `index`'s callback; resolves to whether the callback let the lock go right away. */
  async grant(index: number): Promise<boolean> {
    const held = Promise.resolve(this.requests[index]!.callback({})).then(() => true);
    return Promise.race([held, flush().then(() => false)]);
  }
}

/** Two tabs on one lock: the first leads, the second waits. */
async function leaderAndWaiting(locks: LockManagerLike = new FakeLocks()) {
  const first = tab(locks);
  const second = tab(locks);
  await flush();
  expect(first.changes).toEqual([true]);
  expect(second.changes).toEqual([]);
  return { first, second };
}

describe('leader election over Web Locks: edges', () => {
  it('is unavailable where navigator.locks has no request function', () => {
    expect(createLeadership('app', { query: async () => ({}) } as never)).toBeUndefined();
  });

  it.each([
    ['InvalidStateError', 'not fully active'],
    ['SecurityError', 'opaque origin'],
  ])('a lock request the browser refuses (%s) makes the tab monitor alone, once: no loop of refused requests', async (name, message) => {
    let requests = 0;
    const refusing: LockManagerLike = {
      request() {
        requests += 1;
        return Promise.reject(new DOMException(message, name));
      },
    };
    const only = tab(refusing);
    await flush();
    expect(only.changes).toEqual([true]);
    expect(requests).toBe(1);
    // Shown again, it claims nothing: it leads already.
    only.leadership.claim();
    await flush();
    expect(requests).toBe(1);
    only.leadership.dispose();
  });

  it('a disposed tab that is started again does not queue: a hidden leader keeps the lead', async () => {
    const locks = new FakeLocks();
    const leader = tab(locks);
    await flush();
    const gone = createLeadership('app', locks)!;
    gone.dispose();
    const told = vi.fn();
    gone.start(told);
    await flush();
    expect(locks.queue).toHaveLength(0);
    await leader.leadership.yieldToWaiting();
    await flush();
    expect(leader.changes).toEqual([true]);
    expect(told).not.toHaveBeenCalled();
    leader.leadership.dispose();
  });

  it('a waiting tab that is disposed leaves the queue at once: a hidden leader then keeps the lead', async () => {
    const { first, second } = await leaderAndWaiting();
    second.leadership.dispose();
    await flush();
    await first.leadership.yieldToWaiting();
    await flush();
    expect(first.changes).toEqual([true]);
    first.leadership.dispose();
  });

  it('a lock granted for a request the tab has since replaced (it claimed meanwhile) is let go and does not make it lead', async () => {
    const locks = new ManualLocks();
    const changes: boolean[] = [];
    const leadership = createLeadership('app', locks)!;
    leadership.start((leading) => changes.push(leading));
    leadership.claim();
    expect(locks.requests.map((r) => r.options.steal === true)).toEqual([false, true]);
    // The browser granted the queued request just before the claim replaced it: its callback still runs.
    expect(await locks.grant(0)).toBe(true);
    expect(changes).toEqual([]);
    expect(await locks.grant(1)).toBe(false);
    expect(changes).toEqual([true]);
    leadership.dispose();
  });

  it('a tab disposed while its lock was being granted lets the lock go at once', async () => {
    const locks = new ManualLocks();
    const told = vi.fn();
    const leadership = createLeadership('app', locks)!;
    leadership.start(told);
    leadership.dispose();
    expect(await locks.grant(0)).toBe(true);
    expect(told).not.toHaveBeenCalled();
  });

  it('a leader that claims again (visible again) does not take its own lock anew', async () => {
    const locks = new FakeLocks();
    const request = vi.spyOn(locks, 'request');
    const leader = tab(locks);
    await flush();
    leader.leadership.claim();
    await flush();
    expect(request).toHaveBeenCalledTimes(1);
    expect(leader.changes).toEqual([true]);
    leader.leadership.dispose();
  });

  it('a yield asked from within the lead notification itself is ignored: the tab keeps the lead', async () => {
    const locks = new FakeLocks();
    const first = tab(locks);
    const changes: boolean[] = [];
    const second = createLeadership('app', locks)!;
    second.start((leading) => {
      changes.push(leading);
      if (leading) void second.yieldToWaiting();
    });
    const third = tab(locks);
    await flush();
    first.leadership.dispose();
    await flush();
    expect(changes).toEqual([true]);
    expect(third.changes).toEqual([]);
    second.dispose();
    third.leadership.dispose();
  });

  it('without locks.query a hidden leader keeps the lead: it cannot tell whether another tab waits', async () => {
    const locks = new FakeLocks();
    const { first, second } = await leaderAndWaiting({ request: locks.request.bind(locks) });
    await expect(first.leadership.yieldToWaiting()).resolves.toBeUndefined();
    await flush();
    expect(first.changes).toEqual([true]);
    expect(second.changes).toEqual([]);
    first.leadership.dispose();
    second.leadership.dispose();
  });

  it.each([
    ['fails', () => Promise.reject(new Error('query failed'))],
    ['reports no pending list', async () => ({ held: [{ name: 'app' }] })],
  ])('a hidden leader keeps the lead when locks.query %s (nobody is known to wait)', async (_, query) => {
    const locks = new FakeLocks();
    const { first, second } = await leaderAndWaiting({ request: locks.request.bind(locks), query });
    await expect(first.leadership.yieldToWaiting()).resolves.toBeUndefined();
    await flush();
    expect(first.changes).toEqual([true]);
    expect(second.changes).toEqual([]);
    first.leadership.dispose();
    second.leadership.dispose();
  });

  it('a hidden leader does not hand over to a tab that waits for another lock (another user)', async () => {
    const locks = new FakeLockManager();
    const leader = tab(locks, 'alice');
    const otherLeader = tab(locks, 'bob');
    const otherWaiting = tab(locks, 'bob');
    await flush();
    await leader.leadership.yieldToWaiting();
    await flush();
    expect(leader.changes).toEqual([true]);
    expect(otherWaiting.changes).toEqual([]);
    for (const t of [leader, otherLeader, otherWaiting]) t.leadership.dispose();
  });
});
