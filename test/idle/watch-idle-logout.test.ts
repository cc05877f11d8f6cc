import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WatchIdleOptions } from '../../src/idle/watch-idle.js';
import { FakeBrowser, type FakeTab, flush, user } from './fake-tabs.js';

// The `logout` option of watchIdle with a UserManager: after the local sign-out, RP-initiated logout in the one tab
// that decided the timeout, and only when asked. `logout()` of the main entry is replaced here by a spy.

const calls = vi.hoisted(() => [] as Array<Record<string, unknown>>);
vi.mock('../../src/index.js', () => ({
  logout: async (options: Record<string, unknown>) => {
    calls.push(options);
    return { status: 'navigating' };
  },
}));

const TIMEOUT = 10 * 60_000;
const alice = user('alice');

afterEach(() => {
  calls.length = 0;
});

/** Lets what the tabs started settle: the module logout() comes from is loaded, and a logout() would have begun. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await import('../../src/index.js');
    await flush();
  }
}

/**
 * Two tabs of the user `holds` idle until the timeout. Each tab's sign-out finishes (its `removeUser`) one after the
 * other: two first loads of a mocked module at once leave the second pending in vitest.
 */
async function timeOutTwoTabs(logout?: WatchIdleOptions['logout'], holds = alice): Promise<FakeTab[]> {
  const browser = new FakeBrowser();
  const tabs = [browser.open(holds), browser.open(holds)];
  const opens = tabs.map((tab) => {
    let open!: () => void;
    const removed = new Promise<void>((resolve) => (open = resolve));
    const remove = tab.userManager.removeUser;
    tab.userManager.removeUser = async () => {
      await remove();
      await removed;
    };
    tab.startWatch({ timeout: TIMEOUT, ...(logout === undefined ? {} : { logout }) });
    return open;
  });
  await browser.clock.advance(TIMEOUT);
  await vi.waitFor(() => expect(tabs.map((tab) => tab.removals)).toEqual([1, 1]));
  for (const open of opens) {
    open();
    await settle();
  }
  return tabs;
}

const decider = (tabs: FakeTab[]) => tabs.find((tab) => tab.ends[0] === true)!;

describe('watchIdle logout option', () => {
  it('by default signs out locally only: no RP-initiated logout in any tab', async () => {
    const tabs = await timeOutTwoTabs();
    expect(tabs.flatMap((tab) => tab.ends).sort()).toEqual([false, true]);
    expect(calls).toEqual([]);
  });

  it('logout false: the same', async () => {
    await timeOutTwoTabs(false);
    expect(calls).toEqual([]);
  });

  it("logout true: the deciding tab alone logs out at the OP, with the user's ID token and its UserManager", async () => {
    const tabs = await timeOutTwoTabs(true);
    expect(calls).toEqual([{ id_token_hint: alice.id_token, userManager: decider(tabs).userManager }]);
  });

  it('logout options: passed on to logout() with the ID token hint', async () => {
    const tabs = await timeOutTwoTabs({ post_logout_redirect_uri: 'https://app.example/bye', state: 'idle' });
    expect(calls).toEqual([{ id_token_hint: alice.id_token, post_logout_redirect_uri: 'https://app.example/bye', state: 'idle', userManager: decider(tabs).userManager }]);
  });

  it('a user without an ID token: logout() without a hint (id_token_hint false)', async () => {
    await timeOutTwoTabs(true, { profile: alice.profile } as never);
    expect(calls).toEqual([expect.objectContaining({ id_token_hint: false })]);
  });

  it('logs out at the OP only once the user is removed here', async () => {
    const browser = new FakeBrowser();
    const tab = browser.open(alice);
    let done!: () => void;
    const removed = new Promise<void>((resolve) => (done = resolve));
    const remove = tab.userManager.removeUser;
    tab.userManager.removeUser = async () => {
      await remove();
      await removed;
    };
    tab.startWatch({ timeout: TIMEOUT, logout: true });
    await browser.clock.advance(TIMEOUT);
    await vi.waitFor(() => expect(tab.removals).toBe(1));
    await settle();
    expect(calls).toEqual([]);
    done();
    await vi.waitFor(() => expect(calls).toHaveLength(1));
  });
});
