import type { LockManagerLike } from '../../src/tabs/leadership.js';

/** A small model of one browser's Web Locks for one name: exclusive, FIFO, with steal and abort. */
export class FakeLocks implements LockManagerLike {
  held: { release: () => void; reject: (e: unknown) => void } | undefined;
  readonly queue: Array<{ run: () => void; signal?: AbortSignal }> = [];

  constructor(readonly name = 'app') {}

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
    return { pending: this.queue.map(() => ({ name: this.name })), held: this.held ? [{ name: this.name }] : [] };
  }
}


/** One browser's Web Locks for any number of names: a {@link FakeLocks} per name. */
export class FakeLockManager implements LockManagerLike {
  readonly byName = new Map<string, FakeLocks>();

  of(name: string): FakeLocks {
    let locks = this.byName.get(name);
    if (!locks) this.byName.set(name, (locks = new FakeLocks(name)));
    return locks;
  }

  request(name: string, options: { signal?: AbortSignal; steal?: boolean }, callback: (lock: unknown) => Promise<void> | void): Promise<unknown> {
    return this.of(name).request(name, options, callback);
  }

  async query() {
    const all = [...this.byName.values()].map((locks) => locks.query());
    const snapshots = await Promise.all(all);
    return { pending: snapshots.flatMap((s) => s.pending), held: snapshots.flatMap((s) => s.held) };
  }
}
