import type { IdleChannel, IdleEnvironment } from '../../src/idle/idle-environment.js';
import { watchIdleIn, type WatchIdleOptions } from '../../src/idle/watch-idle.js';
import type { IdleEvents, IdleWatch } from '../../src/idle/types.js';
import { FakeClock, flush } from '../support/fake-clock.js';

export const ISSUER = 'https://op.example';
export const CLIENT_ID = 'app';

/** A user as oidc-client-ts keeps it: `sid` and `auth_time` name the OP session. */
export interface FakeUser {
  id_token: string;
  profile: { sub: string; sid?: string; auth_time?: number };
}

export const user = (sub: string, sid = `${sub}-session-1`): FakeUser => ({ id_token: `${sub}.${sid}.sig`, profile: { sub, sid } });

/**
 * One browser: tabs sharing a clock, a localStorage (whose writes the other tabs hear a task later, as `storage`
 * events), a BroadcastChannel and Web Locks — each of which a test can break.
 */
export class FakeBrowser {
  readonly clock = new FakeClock();
  readonly store = new Map<string, string>();
  readonly tabs = new Set<FakeTab>();
  /** `false`: every write throws (quota exceeded); reads still work. */
  storageWritable = true;
  /** `false`: every storage call throws (storage blocked). */
  storageReadable = true;
  /** `false`: no BroadcastChannel in this browser. */
  hasChannel = true;
  hasLocks = true;
  readonly #locks = new Map<string, Promise<void>>();
  readonly #channels = new Map<string, Set<{ tab: FakeTab; handlers: Set<(data: unknown) => void> }>>();

  /** Opens a tab of the app whose user store holds `holds` (per-tab stores: each tab its own user). */
  open(holds: FakeUser | null): FakeTab {
    const tab = new FakeTab(this, holds);
    this.tabs.add(tab);
    return tab;
  }

  write(from: FakeTab, key: string, value: string | null): void {
    if (!this.storageReadable || !this.storageWritable) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    if ((this.store.get(key) ?? null) === value) return;
    if (value === null) this.store.delete(key);
    else this.store.set(key, value);
    for (const tab of this.tabs) if (tab !== from) queueMicrotask(() => tab.storageListeners.forEach((listener) => listener(key, value)));
  }

  read(key: string): string | null {
    if (!this.storageReadable) throw new DOMException('Access is denied.', 'SecurityError');
    return this.store.get(key) ?? null;
  }

  /** Holds the lock `name` (another tab's decision in progress) until the returned function is called. */
  hold(name: string): () => void {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    this.#locks.set(
      name,
      (this.#locks.get(name) ?? Promise.resolve()).then(() => held),
    );
    return release;
  }

  lock(name: string, task: () => void | Promise<void>): Promise<void> {
    const run = (this.#locks.get(name) ?? Promise.resolve()).then(task);
    this.#locks.set(
      name,
      run.catch(() => {}),
    );
    return run;
  }

  channel(from: FakeTab, name: string): IdleChannel | undefined {
    if (!this.hasChannel) return undefined;
    const ends = this.#channels.get(name) ?? new Set();
    this.#channels.set(name, ends);
    const end = { tab: from, handlers: new Set<(data: unknown) => void>() };
    ends.add(end);
    return {
      post: (message) => {
        if (!this.hasChannel || !ends.has(end)) return;
        const data = structuredClone(message);
        for (const other of ends) if (other !== end) queueMicrotask(() => other.handlers.forEach((handler) => handler(data)));
      },
      onMessage: (handler) => (end.handlers.add(handler), () => void end.handlers.delete(handler)),
      close: () => void ends.delete(end),
    };
  }

  /** Open channel ends: a stopped watch must leave none. */
  get openChannels(): number {
    let count = 0;
    for (const ends of this.#channels.values()) count += ends.size;
    return count;
  }
}

/** One tab: its page environment, its user store (an oidc-client-ts `UserManager` as the watch sees it), its watch. */
export class FakeTab {
  readonly storageListeners = new Set<(key: string | null, value: string | null) => void>();
  readonly activityListeners = new Set<() => void>();
  readonly seen: Array<{ event: keyof IdleEvents; payload: unknown }> = [];
  /** `decidedHere` of each sign-out the watch performed in this tab. */
  readonly ends: boolean[] = [];
  /** Calls of `userManager.removeUser()`. */
  removals = 0;
  readonly env: IdleEnvironment;
  readonly userManager;
  watch: IdleWatch | undefined;
  readonly #loaded = new Set<(user: FakeUser) => void>();
  readonly #unloaded = new Set<() => void>();

  constructor(
    readonly browser: FakeBrowser,
    public holds: FakeUser | null,
  ) {
    this.env = {
      clock: browser.clock,
      storage: {
        getItem: (key) => browser.read(key),
        setItem: (key, value) => browser.write(this, key, value),
        removeItem: (key) => browser.write(this, key, null),
      },
      onStorage: (listener) => (this.storageListeners.add(listener), () => void this.storageListeners.delete(listener)),
      onActivity: (_events, listener) => (this.activityListeners.add(listener), () => void this.activityListeners.delete(listener)),
      lock: browser.hasLocks ? (name, task) => browser.lock(name, task) : undefined,
      channel: (name) => browser.channel(this, name),
    };
    const tab = this;
    this.userManager = {
      settings: { authority: `${ISSUER}/`, client_id: CLIENT_ID },
      getUser: async () => tab.holds,
      signinSilent: async () => null,
      removeUser: async () => {
        tab.removals += 1;
        tab.holds = null;
        for (const handler of [...tab.#unloaded]) handler();
      },
      events: {
        addUserLoaded: (handler: (user: FakeUser) => void) => (tab.#loaded.add(handler), () => void tab.#loaded.delete(handler)),
        addUserUnloaded: (handler: () => void) => (tab.#unloaded.add(handler), () => void tab.#unloaded.delete(handler)),
      },
    };
  }

  /** Starts the idle watch of this tab (`watchIdle` with the tab's `UserManager`, unless the options name another). */
  startWatch(options: Partial<WatchIdleOptions> & { timeout: number }): IdleWatch {
    const watch = watchIdleIn({ userManager: this.userManager as never, ...options } as WatchIdleOptions, this.env);
    this.watch = watch;
    for (const event of ['warning', 'warningCancelled', 'timeout', 'state'] as const) {
      watch.on(event, (payload) => {
        this.seen.push({ event, payload });
        if (event === 'timeout') this.ends.push((payload as IdleEvents['timeout']).decidedHere);
      });
    }
    return watch;
  }

  /** User activity in this tab (a pointer or key event). */
  activity(): void {
    for (const listener of [...this.activityListeners]) listener();
  }

  /** A sign-in in this tab without reloading it (a popup or silent sign-in): the store now holds `who`. */
  signIn(who: FakeUser): void {
    this.holds = who;
    for (const handler of [...this.#loaded]) handler(who);
  }

  /** The app signs its user out locally (`userManager.removeUser()`). */
  async signOut(): Promise<void> {
    await this.userManager.removeUser();
  }

  /** Closes the tab (or navigates away): the page's watch goes with it. */
  close(): void {
    this.watch?.stop();
    this.browser.tabs.delete(this);
  }

  events(name: keyof IdleEvents): unknown[] {
    return this.seen.filter((e) => e.event === name).map((e) => e.payload);
  }
}

export { flush };
