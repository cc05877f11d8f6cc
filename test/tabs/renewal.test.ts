import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { RenewalPort, StoredTokens } from '../../src/session/renewal-port.js';
import type { LockManagerLike } from '../../src/tabs/leadership.js';
import { coordinateRenewal, renewalStep, RETRY_SECONDS, type Renewal } from '../../src/tabs/renewal.js';
import { FakeLockManager } from '../support/fake-locks.js';
import { propertyRuns } from '../support/property-runs.js';

const NOW = 1_000_000;
const tokens = (accessToken: string, sub = 'alice', expiresAt: number | undefined = NOW + 30): StoredTokens => ({ sub, accessToken, expiresAt });

describe('renewalStep', () => {
  const old = tokens('old');
  const fresh = tokens('new', 'alice', NOW + 3600);
  it.each([
    ['the token it saw is still stored and expiring', old, old, 'old', undefined, 'renew'],
    ['another tab renewed while it waited for the lock', old, fresh, 'old', undefined, 'adopt'],
    ['another tab renewed before its timer fired (fresh tokens)', fresh, fresh, 'old', undefined, 'adopt'],
    ['it already uses the fresh tokens', fresh, fresh, 'new', undefined, 'none'],
    ['nobody is signed in any more', old, null, 'old', undefined, 'none'],
    ['another user is in the store', old, tokens('bob-token', 'bob'), 'old', undefined, 'none'],
    ['its renewal of this very token failed already', old, old, 'old', 'old', 'none'],
    ['the token never expires', { sub: 'alice', accessToken: 'x', expiresAt: undefined }, { sub: 'alice', accessToken: 'x', expiresAt: undefined }, 'x', undefined, 'none'],
  ] as const)('%s → %s', (_what, seen, stored, loaded, failed, step) => {
    expect(renewalStep(seen, stored, loaded, failed, NOW, 60)).toBe(step);
  });

  it('renews on a retry of a failed renewal whatever the clock says, once the failure mark is gone', () => {
    const fresh = tokens('old', 'alice', NOW + 3600);
    expect(renewalStep(fresh, fresh, 'old', undefined, NOW, 60, true)).toBe('renew');
    expect(renewalStep(fresh, fresh, 'old', undefined, NOW, 60, false)).toBe('none');
    expect(renewalStep(fresh, tokens('new'), 'old', undefined, NOW, 60, true)).toBe('adopt');
  });

  it('counts a token within the expiring window (and one second of rounding) as expiring', () => {
    expect(renewalStep(old, tokens('old', 'alice', NOW + 61), 'old', undefined, NOW, 60)).toBe('renew');
    expect(renewalStep(old, tokens('old', 'alice', NOW + 62), 'old', undefined, NOW, 60)).toBe('none');
  });
});

/**
 * One browser: an OP that rotates refresh tokens and revokes the whole grant when a used one comes back (as
 * oidc-provider, Keycloak's "Revoke Refresh Token", Auth0 and Okta do), a store shared by the tabs, and Web Locks.
 */
class World {
  readonly store = new Map<string, StoredTokens & { refreshToken: string }>();
  readonly locks = new FakeLockManager();
  readonly tokenRequests: string[] = [];
  readonly invalidGrants: string[] = [];
  private readonly used = new Set<string>();
  private readonly revoked = new Set<string>();
  private serial = 0;
  /** Lifetime of renewed access tokens, in seconds. */
  ttl = 3600;
  /** Each token request waits for this (the network), so that tabs really overlap. */
  latency: () => Promise<void> = () => Promise.resolve();

  signIn(sub = 'alice', key = 'shared'): void {
    this.store.set(key, { ...tokens(`at-${sub}-0`, sub), refreshToken: `rt-${sub}-0` });
  }

  async refresh(refreshToken: string, sub: string): Promise<StoredTokens & { refreshToken: string }> {
    this.tokenRequests.push(refreshToken);
    await this.latency();
    const family = sub;
    if (this.used.has(refreshToken) || this.revoked.has(family)) {
      this.revoked.add(family);
      this.invalidGrants.push(refreshToken);
      throw Object.assign(new Error('invalid_grant'), { error: 'invalid_grant' });
    }
    this.used.add(refreshToken);
    const n = ++this.serial;
    return { ...tokens(`at-${sub}-${n}`, sub, NOW + this.ttl), refreshToken: `rt-${sub}-${n}` };
  }
}

interface Tab {
  renewal: Renewal;
  fire(): void;
  adopted: string[];
  failures: unknown[];
  gaveBack: () => boolean;
  /** How often renewal was given back to the client. */
  giveBacks(): number;
  /** The client loads a user by itself (the app signed in, a re-check stored new tokens): store and "user loaded". */
  clientLoads(accessToken: string): void;
  /** The access token this tab's app holds (what it loaded last). */
  holds(): string | undefined;
  /** How often the coordinator read the store. */
  reads(): number;
}

function openTab(
  world: World,
  options: {
    key?: string;
    locks?: boolean | LockManagerLike;
    failed?: (error: unknown) => Promise<void>;
    now?: () => number;
    onStorageChange?: (handler: () => void) => () => void;
    announce?: (sub: string) => void;
    /** `false`: a client that does not renew by itself (`takeOver` returns nothing to give back). */
    renewsItself?: boolean;
    /** How the tab waits for its write to reach the other tabs (default: at once). */
    settle?: () => Promise<void>;
  } = {},
): Tab {
  const key = options.key ?? 'shared';
  let onExpiring: (() => void) | undefined;
  let giveBacks = 0;
  let holds: string | undefined = world.store.get(key)?.accessToken;
  const loadedHandlers = new Set<(t: StoredTokens) => void>();
  const adopted: string[] = [];
  const failures: unknown[] = [];
  let reads = 0;
  const read = async () => {
    reads += 1;
    const stored = world.store.get(key);
    return stored ? tokens(stored.accessToken, stored.sub, stored.expiresAt) : null;
  };
  const port: RenewalPort = {
    expiringWindow: 60,
    takeOver(handler) {
      onExpiring = handler;
      if (options.renewsItself === false) return undefined;
      return () => {
        giveBacks += 1;
      };
    },
    read,
    async renew() {
      const stored = world.store.get(key);
      if (!stored) throw new Error('nobody');
      const next = await world.refresh(stored.refreshToken, stored.sub);
      world.store.set(key, next);
      holds = next.accessToken;
      for (const handler of loadedHandlers) handler(next);
    },
    async adopt() {
      holds = world.store.get(key)?.accessToken;
      adopted.push(holds!);
    },
    onLoaded(handler) {
      loadedHandlers.add(handler);
      return () => loadedHandlers.delete(handler);
    },
  };
  const renewal = coordinateRenewal({
    port,
    lockName: (sub) => `renew:${sub}`,
    locks: options.locks === false ? undefined : options.locks === undefined || options.locks === true ? world.locks : options.locks,
    announce: options.announce ?? (() => undefined),
    failed: async (error) => {
      failures.push(error);
      await options.failed?.(error);
    },
    nowSeconds: options.now ?? (() => NOW),
    settle: options.settle ?? (() => Promise.resolve()),
    ...(options.onStorageChange ? { onStorageChange: options.onStorageChange } : {}),
  });
  const clientLoads = (accessToken: string): void => {
    const stored = world.store.get(key)!;
    world.store.set(key, { ...stored, ...tokens(accessToken, stored.sub, NOW + 3600) });
    holds = accessToken;
    for (const handler of loadedHandlers) handler(tokens(accessToken, stored.sub, NOW + 3600));
  };
  return {
    renewal,
    fire: () => onExpiring?.(),
    adopted,
    failures,
    gaveBack: () => giveBacks > 0,
    giveBacks: () => giveBacks,
    clientLoads,
    holds: () => holds,
    reads: () => reads,
  };
}

/**
 * A fixed wait that only shows that nothing (more) happens: the fakes resolve through microtasks only, so one turn of
 * the event loop runs every chain that could still send a request or adopt a token.
 */
const nothingMore = () => new Promise((resolve) => setTimeout(resolve, 0));

/** An OP that is down until `up()`: its token requests fail with a network error, and are still counted. */
function downUntilUp(world: World): { up(): void } {
  let down = true;
  const refresh = world.refresh.bind(world);
  world.refresh = async (refreshToken, sub) => {
    if (!down) return refresh(refreshToken, sub);
    world.tokenRequests.push(refreshToken);
    throw new Error('network down');
  };
  return { up: () => void (down = false) };
}

describe('coordinateRenewal', () => {
  it('six tabs that fire at the same moment send one token request, get no invalid_grant, and all hold the new tokens', async () => {
    const world = new World();
    world.signIn();
    const tabs = Array.from({ length: 6 }, () => openTab(world));
    for (let round = 1; round <= 10; round++) {
      const before = world.tokenRequests.length;
      // Each round the stored token is expiring again, as the OP's short lifetime makes it.
      const stored = world.store.get('shared')!;
      world.store.set('shared', { ...stored, expiresAt: NOW + 30 });
      for (const tab of tabs) tab.fire();
      await vi.waitFor(() => {
        const newest = world.store.get('shared')!.accessToken;
        expect(newest).not.toBe(stored.accessToken);
        expect(tabs.map((t) => t.holds())).toEqual(Array(6).fill(newest));
      });
      expect(world.tokenRequests.length - before).toBe(1);
    }
    expect(world.invalidGrants).toEqual([]);
  });

  it('tokens that live shorter than the expiring window: tabs that waited for the lock still use the new ones', async () => {
    const world = new World();
    world.ttl = 30;
    world.signIn();
    const tabs = Array.from({ length: 4 }, () => openTab(world));
    for (const tab of tabs) tab.fire();
    await vi.waitFor(() => expect(tabs.map((t) => t.holds())).toEqual(Array(4).fill('at-alice-1')));
    expect(world.tokenRequests).toEqual(['rt-alice-0']);
  });

  it('without Web Locks, tabs that fire at once race as oidc-client-ts does (the case the lock exists for)', async () => {
    const world = new World();
    world.signIn();
    const tabs = Array.from({ length: 3 }, () => openTab(world, { locks: false }));
    for (const tab of tabs) tab.fire();
    await vi.waitFor(() => expect(world.tokenRequests).toHaveLength(3));
    await vi.waitFor(() => expect(world.invalidGrants.length).toBeGreaterThan(0));
  });

  it('without Web Locks, a tab whose timer fires after another tab renewed uses the stored tokens, with no request', async () => {
    const world = new World();
    world.signIn();
    const first = openTab(world, { locks: false });
    const second = openTab(world, { locks: false });
    first.fire();
    await vi.waitFor(() => expect(world.tokenRequests).toHaveLength(1));
    await vi.waitFor(() => expect(first.holds()).toBe('at-alice-1'));
    second.fire();
    await vi.waitFor(() => expect(second.adopted).toEqual(['at-alice-1']));
    expect(world.tokenRequests).toHaveLength(1);
  });

  it('a tab granted the lock after another tab renewed sends no request', async () => {
    const world = new World();
    world.signIn();
    let release!: () => void;
    world.latency = () => new Promise((resolve) => (release = resolve));
    const first = openTab(world);
    const second = openTab(world);
    first.fire();
    await vi.waitFor(() => expect(world.tokenRequests).toHaveLength(1));
    second.fire();
    // The second tab waits for the lock while the first one's request is out.
    await vi.waitFor(() => expect(world.locks.of('renew:alice').queue).toHaveLength(1));
    release();
    await vi.waitFor(() => expect(second.adopted).toEqual(['at-alice-1']));
    expect(world.tokenRequests).toHaveLength(1);
    expect(world.invalidGrants).toEqual([]);
  });

  it('tabs of two users (per-tab stores) renew independently: one waiting on its OP does not hold the other up', async () => {
    const world = new World();
    world.signIn('alice', 'tab-a');
    world.signIn('bob', 'tab-b');
    let releaseAlice!: () => void;
    world.latency = () => (world.tokenRequests.length === 1 ? new Promise((resolve) => (releaseAlice = resolve)) : Promise.resolve());
    const alice = openTab(world, { key: 'tab-a' });
    const bob = openTab(world, { key: 'tab-b' });
    alice.fire();
    await vi.waitFor(() => expect(world.tokenRequests).toEqual(['rt-alice-0']));
    bob.fire();
    await vi.waitFor(() => expect(bob.holds()).toMatch(/^at-bob-\d$/));
    expect(alice.holds()).toBe('at-alice-0');
    releaseAlice();
    await vi.waitFor(() => expect(alice.holds()).not.toBe('at-alice-0'));
    expect(alice.holds()).toMatch(/^at-alice-\d$/);
  });

  it('a failed renewal is re-checked while the lock is held; the next tab finds the outcome and sends nothing', async () => {
    const world = new World();
    world.signIn();
    let finishRecheck!: () => void;
    const failed = vi.fn(
      () =>
        new Promise<void>((resolve) => {
          finishRecheck = () => {
            // The re-check's prompt=none stored fresh tokens, a new refresh token among them.
            world.store.set('shared', { ...tokens('at-recheck', 'alice', NOW + 3600), refreshToken: 'rt-recheck' });
            resolve();
          };
        }),
    );
    // The grant was revoked at the OP (another device used it, an admin, reuse detection).
    world.refresh = async (refreshToken) => {
      world.tokenRequests.push(refreshToken);
      world.invalidGrants.push(refreshToken);
      throw Object.assign(new Error('invalid_grant'), { error: 'invalid_grant' });
    };
    const first = openTab(world, { failed });
    const second = openTab(world, { failed });
    first.fire();
    second.fire();
    await vi.waitFor(() => expect(failed).toHaveBeenCalledTimes(1));
    expect(first.failures[0]).toMatchObject({ error: 'invalid_grant' });
    await nothingMore();
    expect(world.tokenRequests).toHaveLength(1);
    finishRecheck();
    await vi.waitFor(() => expect(second.adopted).toEqual(['at-recheck']));
    expect(world.tokenRequests).toHaveLength(1);
    expect(failed).toHaveBeenCalledTimes(1);
  });

  it('the renewing tab keeps the lock until its write has settled: the next tab in line reads the store only then', async () => {
    const world = new World();
    world.signIn();
    let settled: () => void = () => undefined;
    const settle = vi.fn(() => new Promise<void>((resolve) => void (settled = resolve)));
    const first = openTab(world, { settle });
    const second = openTab(world);
    first.fire();
    await vi.waitFor(() => expect(settle).toHaveBeenCalledTimes(1));
    expect(first.holds()).toBe('at-alice-1');
    // The write may not have reached the second tab's process yet (Chromium passes localStorage writes on
    // asynchronously): it waits in line for the lock instead of reading the store.
    second.fire();
    await vi.waitFor(async () => expect((await world.locks.query()).pending).toHaveLength(1));
    expect(second.adopted).toEqual([]);
    settled();
    await vi.waitFor(() => expect(second.adopted).toEqual(['at-alice-1']));
    expect(world.tokenRequests).toEqual(['rt-alice-0']);
  });

  it('does not present a token whose renewal failed again: the re-check decides, not a retry loop', async () => {
    const world = new World();
    world.signIn();
    downUntilUp(world);
    const tab = openTab(world);
    tab.fire();
    await vi.waitFor(() => expect(tab.failures).toHaveLength(1));
    tab.fire();
    tab.fire();
    await nothingMore();
    expect(world.tokenRequests).toHaveLength(1);
    expect(tab.failures).toHaveLength(1);
  });

  it('a failure whose outcome stayed unknown is tried again when the page is used again, at most once per period', async () => {
    const world = new World();
    world.signIn();
    const op = downUntilUp(world);
    let now = NOW;
    const tab = openTab(world, { now: () => now });
    tab.fire();
    await vi.waitFor(() => expect(tab.failures).toHaveLength(1));
    // A burst of focus events right after: nothing more is sent.
    for (let i = 0; i < 5; i++) tab.renewal.check();
    await nothingMore();
    expect(world.tokenRequests).toHaveLength(1);
    op.up();
    now = NOW + RETRY_SECONDS;
    tab.renewal.check();
    tab.renewal.check();
    await vi.waitFor(() => expect(tab.holds()).toBe('at-alice-1'));
    expect(world.tokenRequests).toHaveLength(2);
  });

  it('a clock set back after a failure does not put the next try off', async () => {
    const world = new World();
    world.signIn();
    const op = downUntilUp(world);
    let now = NOW;
    const tab = openTab(world, { now: () => now });
    tab.fire();
    await vi.waitFor(() => expect(tab.failures).toHaveLength(1));
    op.up();
    now = NOW - 2 * 3600;
    tab.renewal.check();
    await vi.waitFor(() => expect(world.tokenRequests).toHaveLength(2));
  });

  it('check() uses newer tokens of its own user from the store, and ignores another user', async () => {
    const world = new World();
    world.signIn();
    const tab = openTab(world);
    await vi.waitFor(() => expect(tab.reads()).toBeGreaterThan(0));
    world.store.set('shared', { ...tokens('at-elsewhere', 'alice', NOW + 3600), refreshToken: 'rt-x' });
    tab.renewal.check();
    await vi.waitFor(() => expect(tab.adopted).toEqual(['at-elsewhere']));
    tab.renewal.check();
    world.store.set('shared', { ...tokens('at-bob', 'bob', NOW + 3600), refreshToken: 'rt-bob' });
    tab.renewal.check();
    await nothingMore();
    expect(tab.adopted).toEqual(['at-elsewhere']);
  });

  it("uses new tokens as soon as another tab's write reaches this page (a storage event), and stops listening on dispose()", async () => {
    const world = new World();
    world.signIn();
    const handlers = new Set<() => void>();
    const tab = openTab(world, { onStorageChange: (handler) => (handlers.add(handler), () => handlers.delete(handler)) });
    await vi.waitFor(() => expect(tab.reads()).toBeGreaterThan(0));
    world.store.set('shared', { ...tokens('at-written-elsewhere', 'alice', NOW + 3600), refreshToken: 'rt-x' });
    for (const handler of handlers) handler();
    await vi.waitFor(() => expect(tab.adopted).toEqual(['at-written-elsewhere']));
    tab.renewal.dispose();
    expect(handlers.size).toBe(0);
  });

  it('dispose() gives renewal back and withdraws a tab still waiting for the lock', async () => {
    const world = new World();
    world.signIn();
    let release!: () => void;
    world.latency = () => new Promise((resolve) => (release = resolve));
    const first = openTab(world);
    const second = openTab(world);
    first.fire();
    await vi.waitFor(() => expect(world.tokenRequests).toHaveLength(1));
    second.fire();
    await vi.waitFor(() => expect(world.locks.of('renew:alice').queue).toHaveLength(1));
    second.renewal.dispose();
    expect(second.gaveBack()).toBe(true);
    expect(world.locks.of('renew:alice').queue).toHaveLength(0);
    release();
    await vi.waitFor(() => expect(first.holds()).toBe('at-alice-1'));
    await nothingMore();
    expect(second.adopted).toEqual([]);
  });

  it('a tab that found nobody at start renews the user signed in since, when its timer fires', async () => {
    const world = new World();
    const tab = openTab(world);
    await vi.waitFor(() => expect(tab.reads()).toBe(1));
    world.signIn();
    tab.fire();
    await vi.waitFor(() => expect(tab.holds()).toBe('at-alice-1'));
    expect(world.tokenRequests).toEqual(['rt-alice-0']);
  });

  it('after renewing, check() uses the tokens another tab stored later', async () => {
    const world = new World();
    world.signIn();
    const tab = openTab(world);
    tab.fire();
    await vi.waitFor(() => expect(tab.holds()).toBe('at-alice-1'));
    world.store.set('shared', { ...tokens('at-elsewhere', 'alice', NOW + 3600), refreshToken: 'rt-x' });
    tab.renewal.check();
    await vi.waitFor(() => expect(tab.adopted).toEqual(['at-elsewhere']));
  });

  it("tells the app's other tabs once it renewed, naming the user", async () => {
    const world = new World();
    world.signIn();
    const announce = vi.fn();
    const tab = openTab(world, { announce });
    tab.fire();
    await vi.waitFor(() => expect(announce).toHaveBeenCalledWith('alice'));
    expect(announce).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['succeeds', false],
    ['fails', true],
  ])('a tab disposed while its renewal is out neither tells the other tabs nor re-checks when it %s', async (_outcome, fails) => {
    const world = new World();
    world.signIn();
    let release!: () => void;
    world.latency = () => new Promise((resolve) => (release = resolve));
    if (fails) {
      const refresh = world.refresh.bind(world);
      world.refresh = async (refreshToken, sub) => {
        await refresh(refreshToken, sub);
        throw new Error('network down');
      };
    }
    const announce = vi.fn();
    const tab = openTab(world, { announce });
    tab.fire();
    await vi.waitFor(() => expect(world.tokenRequests).toHaveLength(1));
    tab.renewal.dispose();
    release();
    // The lock is given back once the renewal, and whatever follows it, is over.
    await vi.waitFor(() => expect(world.locks.of('renew:alice').held).toBeUndefined());
    expect(announce).not.toHaveBeenCalled();
    expect(tab.failures).toEqual([]);
  });

  it('a tab disposed after it was granted the lock, before its turn ran, sends nothing', async () => {
    const world = new World();
    world.signIn();
    // Web Locks run a granted request's callback in a later task: the tab can go in between, and aborting no longer withdraws it.
    let turn: (() => Promise<void> | void) | undefined;
    const locks: LockManagerLike = {
      request: (_name, _options, callback) => new Promise((resolve) => (turn = () => Promise.resolve(callback({})).then(resolve))),
      query: async () => ({ pending: [], held: [] }),
    };
    const tab = openTab(world, { locks });
    tab.fire();
    await vi.waitFor(() => expect(turn).toBeDefined());
    tab.renewal.dispose();
    await turn!();
    expect(world.tokenRequests).toEqual([]);
    expect(tab.adopted).toEqual([]);
  });

  it('a tab disposed while it reads the store on its timer asks for no lock', async () => {
    const world = new World();
    world.signIn();
    const tab = openTab(world);
    tab.fire();
    tab.renewal.dispose();
    await nothingMore();
    expect(world.locks.byName.has('renew:alice')).toBe(false);
    expect(world.tokenRequests).toEqual([]);
  });

  it('with a navigator.locks that cannot request (a partial stand-in), the tab renews by itself', async () => {
    const world = new World();
    world.signIn();
    const tab = openTab(world, { locks: {} as LockManagerLike });
    tab.fire();
    await vi.waitFor(() => expect(tab.holds()).toBe('at-alice-1'));
    expect(world.tokenRequests).toEqual(['rt-alice-0']);
  });

  it('does not adopt again the tokens the client loaded by itself', async () => {
    const world = new World();
    world.signIn();
    const tab = openTab(world);
    await vi.waitFor(() => expect(tab.reads()).toBe(1));
    tab.clientLoads('at-signed-in-again');
    tab.renewal.check();
    await nothingMore();
    expect(tab.reads()).toBe(2);
    expect(tab.adopted).toEqual([]);
  });

  it('check() does nothing, not even read the store, when the client does not renew by itself or after dispose()', async () => {
    const world = new World();
    world.signIn();
    const own = openTab(world, { renewsItself: false });
    const disposed = openTab(world);
    await vi.waitFor(() => expect([own.reads(), disposed.reads()]).toEqual([1, 1]));
    disposed.renewal.dispose();
    world.store.set('shared', { ...tokens('at-elsewhere', 'alice', NOW + 3600), refreshToken: 'rt-x' });
    own.renewal.check();
    disposed.renewal.check();
    await nothingMore();
    expect([own.reads(), disposed.reads()]).toEqual([1, 1]);
    expect([own.adopted, disposed.adopted]).toEqual([[], []]);
  });

  it('dispose() while check() reads the store: nothing is adopted', async () => {
    const world = new World();
    world.signIn();
    const tab = openTab(world);
    await vi.waitFor(() => expect(tab.reads()).toBe(1));
    world.store.set('shared', { ...tokens('at-elsewhere', 'alice', NOW + 3600), refreshToken: 'rt-x' });
    tab.renewal.check();
    expect(tab.reads()).toBe(2);
    tab.renewal.dispose();
    await nothingMore();
    expect(tab.adopted).toEqual([]);
  });

  it('dispose() twice gives renewal back once', () => {
    const world = new World();
    world.signIn();
    const tab = openTab(world);
    tab.renewal.dispose();
    tab.renewal.dispose();
    expect(tab.giveBacks()).toBe(1);
  });

  it('property: in any interleaving of tabs, timers and OP latency, one token request per round and no invalid_grant', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 3 }), async (s, count, rounds) => {
        const world = new World();
        world.signIn();
        world.latency = () => s.schedule(Promise.resolve());
        const tabs = Array.from({ length: count }, () => openTab(world));
        for (let round = 1; round <= rounds; round++) {
          const stored = world.store.get('shared')!;
          world.store.set('shared', { ...stored, expiresAt: NOW + 30 });
          const before = world.tokenRequests.length;
          for (const tab of tabs) s.schedule(Promise.resolve()).then(() => tab.fire());
          await s.waitFor(
            vi.waitFor(() => {
              const newest = world.store.get('shared')!.accessToken;
              expect(newest).not.toBe(stored.accessToken);
              expect(tabs.every((t) => t.holds() === newest)).toBe(true);
            }),
          );
          if (world.tokenRequests.length - before !== 1 || world.invalidGrants.length > 0) return false;
        }
        return true;
      }),
      { numRuns: propertyRuns(60, 10) },
    );
  });
});
