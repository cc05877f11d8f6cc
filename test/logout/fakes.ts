import type { TabChannel, TabMessage } from '../../src/tabs/channel.js';
import type { Clock, KeyValueStorage, RandomSource } from '../../src/platform.js';

export class MemoryStorage implements KeyValueStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, String(value));
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

/** Storage that throws like a browser with site data disabled (or, with `only: 'write'`, a full quota). */
export class ThrowingStorage implements KeyValueStorage {
  constructor(
    private readonly inner: KeyValueStorage = new MemoryStorage(),
    private readonly only: 'read' | 'write' | 'all' = 'all',
  ) {}
  getItem(key: string): string | null {
    if (this.only !== 'write') throw new DOMException('The operation is insecure.', 'SecurityError');
    return this.inner.getItem(key);
  }
  setItem(key: string, value: string): void {
    if (this.only !== 'read') throw new DOMException('Quota exceeded', 'QuotaExceededError');
    this.inner.setItem(key, value);
  }
  removeItem(key: string): void {
    if (this.only !== 'read') throw new DOMException('Quota exceeded', 'QuotaExceededError');
    this.inner.removeItem(key);
  }
}

export class FakeClock implements Pick<Clock, 'now'> {
  constructor(public time = 1_700_000_000_000) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

/** Deterministic but distinct bytes per call, so tests can predict nothing yet see uniqueness. */
export function counterRandom(): RandomSource {
  let call = 0;
  return {
    getRandomValues(array) {
      call += 1;
      for (let i = 0; i < array.length; i++) array[i] = (call * 31 + i * 7) & 0xff;
      return array;
    },
  };
}

export function recordingChannel(log?: string[]): TabChannel & { posted: TabMessage[] } {
  const posted: TabMessage[] = [];
  return {
    posted,
    post(message) {
      log?.push(message.type === 'signedOut' ? `channel.post:signedOut:${message.reason}` : `channel.post:${message.type}`);
      posted.push(message);
    },
    onMessage: () => () => {},
    close() {},
  };
}

function b64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** An unsigned, structurally valid compact JWS with the given payload. */
export function fakeIdToken(payload: Record<string, unknown>, padTo = 0): string {
  const body = { ...payload, ...(padTo > 0 ? { groups: 'g'.repeat(padTo) } : {}) };
  return `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))}.${b64url(JSON.stringify(body))}.c2lnbmF0dXJl`;
}
