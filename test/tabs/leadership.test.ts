import { describe, expect, it } from 'vitest';
import { createLeadership, type LockManagerLike } from '../../src/tabs/leadership.js';
import { flush } from '../support/fake-clock.js';

/** A small model of one browser's Web Locks for one name: exclusive, FIFO, with steal and abort. */
class FakeLocks implements LockManagerLike {
  held: { release: () => void; reject: (e: unknown) => void } | undefined;
  readonly queue: Array<{ run: () => void; signal?: AbortSignal }> = [];

  request(_name: string, options: { signal?: AbortSignal; steal?: boolean }, callback: (lock: unknown) => Promise<void> | void): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const run = () => {
        let settled = false;
        this.held = {
          release: () => {
            if (settled) return;
            settled = true;
            this.held = undefined;
            resolve(undefined);
            this.next();
          },
          reject: (e) => {
            if (settled) return;
            settled = true;
            reject(e);
          },
        };
        const held = this.held;
        void Promise.resolve(callback({})).then(() => held.release());
      };
      if (options.steal) {
        this.held?.reject(new DOMException('stolen', 'AbortError'));
        this.held = undefined;
        run();
        return;
      }
      const entry = { run, ...(options.signal ? { signal: options.signal } : {}) };
      options.signal?.addEventListener('abort', () => {
        const index = this.queue.indexOf(entry);
        if (index >= 0) {
          this.queue.splice(index, 1);
          reject(new DOMException('aborted', 'AbortError'));
        }
      });
      if (!this.held) run();
      else this.queue.push(entry);
    });
  }

  next(): void {
    const entry = this.queue.shift();
    entry?.run();
  }

  async query() {
    return { pending: this.queue.map(() => ({ name: 'app' })), held: this.held ? [{ name: 'app' }] : [] };
  }
}

function tab(locks: FakeLocks) {
  const changes: boolean[] = [];
  const leadership = createLeadership('app', locks)!;
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
