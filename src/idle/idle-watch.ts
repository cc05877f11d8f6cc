import type { Clock, KeyValueStorage, TimerHandle } from '../platform.js';
import type { IdleChannel } from './idle-environment.js';
import { agoOf, canDecide, clockJumped, idlePhase, joiningIdleFor, parseIdleMessage, parseIdleRecord, type IdleMessage, type IdleRecord } from './idle-record.js';
import type { IdleEvents } from './types.js';

/** Longest delay `setTimeout` honours (2^31 − 1 ms); longer waits are re-armed. */
const MAX_DELAY = 2_147_483_647;

/** Where one session's watch is; `over` once it timed out or stopped. */
export type SessionWatchState = 'active' | 'warning' | 'unavailable' | 'over';

/** Everything the watch of one user's session needs from the outside world. */
export interface SessionWatchDeps {
  clock: Clock;
  /** The storage shared by the app's tabs (localStorage), and the key of this user's record in it. */
  storage: KeyValueStorage;
  key: string;
  /** The OP session being watched (see `sessionTag`): a record or message of another session is not ours. */
  session: string;
  /** This user's channel to the other tabs; `undefined` where there is none. */
  channel: IdleChannel | undefined;
  /** Calls `onChange` with the record's new text when another tab changed it; returns the unsubscribe function. */
  subscribeRecord(onChange: (text: string | null) => void): () => void;
  /** Calls `onActivity` on user activity in this tab; returns the unsubscribe function. */
  subscribeActivity(onActivity: () => void): () => void;
  /** Runs `decide` while holding this user's one decision lock (Web Locks); without Web Locks, at once. */
  withLock(decide: () => void): Promise<void>;
  timeoutMs: number;
  warningMs: number;
  /** Activity is shared at most once per this many ms, except near the timeout (then at once). */
  throttleMs: number;
  /** The longest the watch sleeps: how soon it sees a wall-clock jump, or storage that works again. */
  checkMs: number;
  /** A fresh value for a record's `n`. */
  nonce(): string;
  onState(state: SessionWatchState): void;
  emit<E extends 'warning' | 'warningCancelled'>(event: E, payload: IdleEvents[E]): void;
  /** The timeout, in this tab (`decidedHere`: this tab decided it). Called once; the watch is over by then. */
  timedOut(decidedHere: boolean): void;
}

/** The handle of one session's watch. */
export interface SessionWatch {
  /** Milliseconds of idleness left before the timeout. */
  remainingMs(): number;
  /** Activity now ("stay signed in"), shared with the other tabs at once. */
  extend(): void;
  /** The user signed out: removes the session's record, then stops. */
  signedOut(): void;
  stop(): void;
}

/**
 * One tab's part in the idle timeout of one user's session. Each tab measures idle time on its own monotonic clock
 * from the latest activity it knows of: its own, and what the other tabs of the user tell it (BroadcastChannel, and
 * the record in localStorage, throttled). The tab that reaches the timeout first decides under the user's lock —
 * having re-read the record there, so that activity another tab stored meanwhile wins — and tells the others (a
 * mark in the record and a message), which sign their user out too. A tab that can reach the others neither way
 * does not decide: it reports `unavailable`.
 */
export function createSessionWatch(deps: SessionWatchDeps): SessionWatch {
  const { clock, timeoutMs, warningMs, throttleMs, session } = deps;
  let state: SessionWatchState = 'active';
  let timer: TimerHandle | undefined;
  let trailing: TimerHandle | undefined;
  let lastShared = -Infinity;
  let pendingActivity: number | undefined;
  let deciding = false;
  // The latest activity this tab knows of (monotonic ms), the record's `n` last seen, and wall − monotonic.
  let lastActivity: number;
  let lastNonce: string | undefined;
  let offset = clock.now() - clock.monotonic();
  let writable = false;

  const over = (): boolean => state === 'over';
  const idleFor = (): number => clock.monotonic() - lastActivity;
  const setState = (next: SessionWatchState): void => {
    if (state === next) return;
    state = next;
    deps.onState(next);
  };

  const read = (): IdleRecord | undefined => {
    try {
      return parseIdleRecord(deps.storage.getItem(deps.key));
    } catch {
      return undefined;
    }
  };
  /** Writes the record; false when storage is blocked or full. */
  const write = (record: IdleRecord): boolean => {
    try {
      deps.storage.setItem(deps.key, JSON.stringify(record));
      return (writable = true);
    } catch {
      return (writable = false);
    }
  };
  /** Whether storage takes a write now (a key of its own: writing an unchanged value proves nothing). */
  const probe = (): boolean => {
    try {
      deps.storage.setItem(`${deps.key}:probe`, '1');
      deps.storage.removeItem(`${deps.key}:probe`);
      return (writable = true);
    } catch {
      return (writable = false);
    }
  };
  const post = (message: IdleMessage): void => deps.channel?.post(message);
  /** Activity `ago` ms ago counts; a later one already known stays. */
  const heard = (ago: number): void => {
    lastActivity = Math.max(lastActivity, clock.monotonic() - Math.min(timeoutMs, Math.max(0, ago)));
  };

  /** Takes in what a record says: a timeout mark ends this tab's watch; a new `n` is activity in another tab. */
  function absorb(record: IdleRecord | undefined): void {
    if (!record || record.s !== session) return;
    if (record.out) return finish(false);
    if (record.n === lastNonce) return;
    lastNonce = record.n;
    heard(agoOf(record.at, clock.now(), timeoutMs));
  }

  // Join the session's running period, or start a new one. A record that cannot be written may be stale: then
  // this tab counts from its own start, and learns the rest from the others' messages.
  {
    const record = read();
    const joined = probe() ? joiningIdleFor(record, session, clock.now(), timeoutMs) : undefined;
    lastActivity = clock.monotonic() - (joined ?? 0);
    if (joined !== undefined) lastNonce = record!.n;
    else if (writable) write({ s: session, at: clock.now(), n: (lastNonce = deps.nonce()) });
  }
  const unsubscribeRecord = deps.subscribeRecord((text) => {
    if (over()) return;
    absorb(parseIdleRecord(text));
    evaluate();
  });
  const unsubscribeActivity = deps.subscribeActivity(onActivity);
  const unsubscribeChannel = deps.channel?.onMessage((data) => {
    const message = parseIdleMessage(data);
    if (over() || message?.s !== session) return;
    if (message.t === 'timedOut') return finish(false);
    if (message.t === 'hello') return post({ t: 'activity', s: session, ago: idleFor() });
    heard(message.ago);
    evaluate();
  });
  post({ t: 'hello', s: session });

  function teardown(): void {
    if (timer !== undefined) clock.clearTimeout(timer);
    if (trailing !== undefined) clock.clearTimeout(trailing);
    timer = trailing = undefined;
    unsubscribeRecord();
    unsubscribeActivity();
    unsubscribeChannel?.();
    deps.channel?.close();
  }

  /** The wall clock was set: the record's `at` is rewritten in the new time (same `n`: this is not activity). */
  function followClock(): void {
    const now = clock.now();
    const current = now - clock.monotonic();
    if (!clockJumped(offset, current)) return;
    offset = current;
    const record = read();
    if (record && record.s === session && !record.out && record.n === lastNonce) write({ s: session, at: now - idleFor(), n: record.n });
  }

  /** Brings this tab in line with the clock; decides when due; schedules the next look. */
  function evaluate(): void {
    if (over()) return;
    followClock();
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    if (!canDecide(writable, deps.channel !== undefined) && !probe()) {
      if (state === 'warning') deps.emit('warningCancelled', { deadline: clock.now() + timeoutMs - idleFor() });
      setState('unavailable');
      timer = clock.setTimeout(evaluate, deps.checkMs);
      return;
    }
    const idle = idleFor();
    const phase = idlePhase(idle, timeoutMs, warningMs);
    if (phase === 'due') return decide();
    const remaining = timeoutMs - idle;
    if (phase === 'warning' && state !== 'warning') {
      setState('warning');
      deps.emit('warning', { remainingMs: remaining, deadline: clock.now() + remaining });
    } else if (phase === 'active' && state !== 'active') {
      if (state === 'warning') deps.emit('warningCancelled', { deadline: clock.now() + remaining });
      setState('active');
    }
    const wakeIn = phase === 'active' ? remaining - warningMs : remaining;
    timer = clock.setTimeout(evaluate, Math.min(MAX_DELAY, deps.checkMs, Math.max(0, wakeIn)));
  }

  /** The timeout came here: decide once for the user, unless another tab saw activity or decided already. */
  function decide(): void {
    if (deciding) return;
    deciding = true;
    deps
      .withLock(() => {
        if (over()) return;
        // This tab's own activity not shared yet counts too.
        if (pendingActivity !== undefined) share(pendingActivity);
        absorb(read());
        if (over() || idlePhase(idleFor(), timeoutMs, warningMs) !== 'due') return;
        const marked = write({ s: session, at: clock.now() - idleFor(), n: lastNonce ?? deps.nonce(), out: true });
        if (!canDecide(marked, deps.channel !== undefined)) return;
        post({ t: 'timedOut', s: session });
        finish(true);
      })
      .then(
        () => {
          deciding = false;
          evaluate();
        },
        () => {
          // The lock could not be had (the page is going away?): try again a little later, not in a tight loop.
          deciding = false;
          if (!over()) timer = clock.setTimeout(evaluate, throttleMs);
        },
      );
  }

  function finish(decidedHere: boolean): void {
    if (over()) return;
    teardown();
    setState('over');
    deps.timedOut(decidedHere);
  }

  /** Tells the other tabs of activity seen here at `at` (monotonic ms). */
  function share(at: number): void {
    lastShared = clock.monotonic();
    pendingActivity = undefined;
    if (trailing !== undefined) clock.clearTimeout(trailing);
    trailing = undefined;
    const ago = clock.monotonic() - at;
    const record = read();
    if (record?.s === session && record.out) return finish(false);
    const n = deps.nonce();
    if (write({ s: session, at: clock.now() - ago, n })) lastNonce = n;
    post({ t: 'activity', s: session, ago });
  }

  function onActivity(): void {
    if (over()) return;
    const now = clock.monotonic();
    lastActivity = Math.max(lastActivity, now);
    // Near the timeout (and during the warning) every activity is shared at once; before, once per throttle period,
    // with the last one of a burst shared at its end.
    if (now - lastShared >= throttleMs || timeoutMs - idleFor() <= Math.max(warningMs, 2 * throttleMs) || state !== 'active') {
      share(now);
      return evaluate();
    }
    pendingActivity = now;
    trailing ??= clock.setTimeout(() => {
      trailing = undefined;
      if (pendingActivity !== undefined && !over()) share(pendingActivity);
    }, lastShared + throttleMs - now);
  }

  // After the caller has subscribed: a tab that joins during a warning hears it too.
  queueMicrotask(evaluate);

  return {
    remainingMs: () => (over() ? 0 : Math.max(0, timeoutMs - idleFor())),
    extend() {
      if (over()) return;
      lastActivity = clock.monotonic();
      share(lastActivity);
      evaluate();
    },
    signedOut() {
      if (over()) return;
      const record = read();
      if (record?.s === session && !record.out) {
        try {
          deps.storage.removeItem(deps.key);
        } catch {
          // Storage blocked: there is no record to clear.
        }
      }
      teardown();
      state = 'over';
    },
    stop() {
      if (over()) return;
      teardown();
      state = 'over';
    },
  };
}
