import { describe, expect, it } from 'vitest';
import { createLeadership } from '../../src/tabs/leadership.js';
import { flush } from '../support/fake-clock.js';
import { FakeLocks } from '../support/fake-locks.js';

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
