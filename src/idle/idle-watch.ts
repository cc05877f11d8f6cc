import type { ElapsedClock, KeyValueStorage, TimerHandle } from '../platform.js';
import type { IdleChannel } from './idle-environment.js';
import { agoOf, canDecide, clockJumped, idlePhase, joiningIdleFor, parseIdleMessage, parseIdleRecord, type IdleMessage, type IdleRecord } from './idle-record.js';
import type { IdleEvents } from './types.js';

/** Longest delay `setTimeout` honours (2^31 − 1 ms); longer waits are re-armed. */
const MAX_DELAY = 2_147_483_647;

/** Where one session's watch is; `over` once it timed out or stopped. */
export type SessionWatchState = 'active' | 'warning' | 'unavailable' | 'over';

/** Everything the watch of one user's session needs from the outside world. */
export interface SessionWatchDeps {
  clock: ElapsedClock;
  /** The storage shared by the app's tabs (localStorage), and the key of this user's record in it. */
  storage: KeyValueStorage;
  key: string;
  /** The OP session of this tab's sign-in (see `sessionTag`): a record of another session's period is not joined. */
  session: string;
  /** The user has just signed in here: a new period, whatever the record says. */
  signedIn: boolean;
  /** This user's channel to the other tabs; `undefined` where there is none. */
  channel: IdleChannel | undefined;
  /** Calls `onChange` with the record's new text when another tab changed it; returns the unsubscribe function. */
  subscribeRecord(onChange: (text: string | null) => void): () => void;
  /** Calls `onActivity` on user activity in this tab; returns the unsubscribe function. */
  subscribeActivity(onActivity: () => void): () => void;
  /**
   * Runs `task` while holding this user's one decision lock (Web Locks) — until the promise it returns settles;
   * without Web Locks, at once.
   */
  withLock(task: () => void | Promise<void>): Promise<void>;
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
 * One tab's part in the idle timeout of one signed-in user. Each tab measures idle time on its own monotonic clock
 * from the latest activity it knows of: its own, and what the other tabs of the user tell it (BroadcastChannel, and
 * the record in localStorage, throttled). The tab that reaches the timeout first decides under the user's lock —
 * having re-read the record there, so that activity another tab stored meanwhile wins — and tells the others (a
 * mark in the record and a message), which sign their user out too. A tab that can reach the others neither way
 * does not decide: it reports `unavailable`.
 */
export function createSessionWatch(deps: SessionWatchDeps): SessionWatch {
  const { clock, timeoutMs, warningMs, throttleMs, session } = deps;
  // Stryker disable next-line StringLiteral: nothing reads it before the first evaluate (a microtask after creation; activity, storage and messages come in later tasks), which sets it, and watchIdle already shows 'active'
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
  // Stryker disable next-line BooleanLiteral: the probe at the start sets it before anything reads it
  let writable = false;
  // Activity of this tab that no other tab could hear (no storage, no channel): until it is shared, this tab holds
  // the decision lock, so that no other tab decides without it.
  let unshared: number | undefined;
  let releaseHold: (() => void) | undefined;
  let fresh: boolean;
  const startedAt = clock.monotonic();

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
    }
    // Stryker disable next-line BlockStatement: an empty catch block returns undefined just the same
    catch {
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
      deps.storage.setItem(
        `${deps.key}:probe`,
        // Stryker disable next-line StringLiteral: the probe's value is removed at once and never read; only whether the write throws counts
        '1',
      );
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

  /**
   * Takes in what a record says (`changedNow`: another tab just wrote it): a new timeout mark ends this tab's watch;
   * a new `n` is activity in another tab.
   */
  function absorb(record: IdleRecord | undefined, changedNow: boolean): void {
    if (!record) return;
    if (record.n === lastNonce) {
      // The same activity, its time just rewritten by a tab that saw the wall clock jump: a later time corrects ours.
      if (changedNow && !record.out) heard(agoOf(record.at, clock.now(), timeoutMs));
      return;
    }
    lastNonce = record.n;
    if (record.out) return finish(false);
    heard(agoOf(record.at, clock.now(), timeoutMs));
  }

  // Join the session's running period, or start a new one. A record that cannot be written may be stale: then
  // this tab counts from its own start, and learns the rest from the others' messages.
  // Started without storage: the first answer to `hello` tells this tab where the period stands, in place of its
  // own start (which is no activity).
  // Stryker disable next-line BooleanLiteral: set from the probe just below, before anything reads it
  let guessed = false;
  {
    const record = read();
    const usable = probe();
    guessed = !usable && !deps.signedIn;
    const joined = usable && !deps.signedIn ? joiningIdleFor(record, session, clock.now(), timeoutMs) : undefined;
    fresh = joined === undefined;
    lastActivity = clock.monotonic() - (joined ?? 0);
    // The record as found is accounted for, joined or not: only a later change of it is news of activity.
    lastNonce = record?.n;
  }
  const unsubscribeRecord = deps.subscribeRecord((text) => {
    // Stryker disable next-line ConditionalExpression: every way to 'over' unsubscribes this listener first (teardown), so it is never called once over
    if (over()) return;
    absorb(parseIdleRecord(text), true);
    evaluate();
  });
  const unsubscribeActivity = deps.subscribeActivity(onActivity);
  const unsubscribeChannel = deps.channel?.onMessage((data) => {
    const message = parseIdleMessage(data);
    if (over() || !message) return;
    if (message.t === 'timedOut') return finish(false);
    if (message.t === 'hello') return post({ t: 'activity', ago: idleFor() });
    if (guessed) {
      guessed = false;
      lastActivity = clock.monotonic() - Math.min(timeoutMs, Math.max(0, message.ago));
    } else heard(message.ago);
    evaluate();
  });
  post({ t: 'hello' });
  // A new period begins like activity: the user just signed in (or came back after the last period ended). Not a
  // tab that merely could not read the period from storage: it asked the others.
  if (fresh && !guessed) share(lastActivity);

  function release(): void {
    releaseHold?.();
    releaseHold = undefined;
  }

  function teardown(): void {
    release();
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
    if (record && !record.out && record.n === lastNonce) write({ s: record.s, at: now - idleFor(), n: record.n });
  }

  /** Brings this tab in line with the clock; decides when due; schedules the next look. */
  function evaluate(): void {
    if (over()) return;
    followClock();
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    // Without a channel, storage is the only way to the other tabs: look whether it still takes writes.
    if (!canDecide(deps.channel === undefined ? probe() : writable || probe(), deps.channel !== undefined)) {
      if (state === 'warning') deps.emit('warningCancelled', { deadline: clock.now() + timeoutMs - idleFor() });
      setState('unavailable');
      timer = clock.setTimeout(evaluate, deps.checkMs);
      return;
    }
    // Storage works again: what this tab could not tell the others goes out first (and its hold on the lock ends).
    if (unshared !== undefined && writable) share(unshared);
    const idle = idleFor();
    const phase = idlePhase(idle, timeoutMs, warningMs);
    // A tab that joined a period took its time from the record, which may predate a jump of the wall clock that the
    // other tabs correct within one check: it decides only after that.
    const settled = fresh || clock.monotonic() - startedAt >= deps.checkMs;
    if (phase === 'due' && settled) return decide();
    const remaining = timeoutMs - idle;
    if (phase === 'warning' && state !== 'warning') {
      setState('warning');
      deps.emit('warning', { remainingMs: remaining, deadline: clock.now() + remaining });
    } else if (
      phase === 'active' &&
      // Stryker disable next-line ConditionalExpression, StringLiteral: in state 'active' the branch does nothing (no warning to cancel; setState ignores the same state)
      state !== 'active'
    ) {
      if (state === 'warning') deps.emit('warningCancelled', { deadline: clock.now() + remaining });
      setState('active');
    }
    const wakeIn = phase === 'active' ? remaining - warningMs : phase === 'due' ? startedAt + deps.checkMs - clock.monotonic() : remaining;
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
        absorb(read(), false);
        if (over() || idlePhase(idleFor(), timeoutMs, warningMs) !== 'due') return;
        const marked = write({ s: read()?.s ?? session, at: clock.now() - idleFor(), n: deps.nonce(), out: true });
        if (!canDecide(marked, deps.channel !== undefined)) return;
        post({ t: 'timedOut' });
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
    // A timeout mark is followed as it comes (storage event, message), never from a read: one found here may be
    // older than this tab's period (storage could not be read when it began).
    const record = read();
    const n = deps.nonce();
    const stored = write({ s: record && !record.out ? record.s : session, at: clock.now() - ago, n });
    post({ t: 'activity', ago });
    if (stored || deps.channel) {
      if (stored) lastNonce = n;
      unshared = undefined;
      return release();
    }
    unshared = Math.max(unshared ?? at, at);
    if (!releaseHold) {
      let resolve!: () => void;
      const held = new Promise<void>((r) => (resolve = r));
      releaseHold = resolve;
      deps.withLock(() => held).catch(() => {
        // No lock to be had (the page is going away): nothing to hold.
      });
    }
  }

  function onActivity(): void {
    // Stryker disable next-line ConditionalExpression: every way to 'over' unsubscribes this listener first (teardown), so it is never called once over
    if (over()) return;
    guessed = false;
    const now = clock.monotonic();
    lastActivity = Math.max(lastActivity, now);
    // Near the timeout (and during the warning) every activity is shared at once; before, once per throttle period,
    // with the last one of a burst shared at its end.
    if (
      now - lastShared >= throttleMs ||
      // Stryker disable next-line ArithmeticOperator: idleFor() is 0 here (lastActivity was just set to now, never later), so timeoutMs - 0 = timeoutMs + 0
      timeoutMs - idleFor() <=
        Math.max(warningMs, 2 * throttleMs) ||
      state !== 'active'
    ) {
      share(now);
      return evaluate();
    }
    pendingActivity = now;
    trailing ??= clock.setTimeout(() => {
      trailing = undefined;
      // Stryker disable next-line LogicalOperator: when this timer fires both hold (share and teardown clear it together with pendingActivity / before 'over'), so || = &&
      if (pendingActivity !== undefined && !over()) share(pendingActivity);
    }, lastShared + throttleMs - now);
  }

  // After the caller has subscribed: a tab that joins during a warning hears it too.
  queueMicrotask(evaluate);

  return {
    remainingMs: () => (over() ? 0 : Math.max(0, timeoutMs - idleFor())),
    extend() {
      if (over()) return;
      guessed = false;
      lastActivity = clock.monotonic();
      share(lastActivity);
      evaluate();
    },
    signedOut() {
      if (over()) return;
      release();
      const record = read();
      if (record && !record.out) {
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
      // Stryker disable next-line ConditionalExpression: stopping again only repeats teardown, which is idempotent (nothing left to clear, unsubscribe and close twice are no-ops), and state stays 'over'
      if (over()) return;
      teardown();
      state = 'over';
    },
  };
}
