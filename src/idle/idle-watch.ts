import { Emitter } from '../monitor/emitter.js';
import type { Clock, KeyValueStorage, TimerHandle } from '../platform.js';
import { deadlineAfterActivity, idlePhase, parseIdleRecord, startingDeadline, type IdleRecord } from './idle-record.js';
import type { IdleEvents, IdleState, IdleWatch } from './types.js';

/** Longest delay `setTimeout` honours (2^31 − 1 ms); longer waits are re-armed. */
const MAX_DELAY = 2_147_483_647;

/** Everything an idle watch needs from the outside world. */
export interface IdleWatchDeps {
  clock: Clock;
  /** The storage shared by the app's tabs (localStorage), and the key of the app's record in it. */
  storage: KeyValueStorage;
  key: string;
  /** Calls `onChange` when another tab changed the record; returns the unsubscribe function. */
  subscribeRecord(onChange: () => void): () => void;
  /** Calls `onActivity` on user activity in this tab; returns the unsubscribe function. */
  subscribeActivity(onActivity: () => void): () => void;
  /** Runs `decide` while holding the app's one decision lock (Web Locks); without Web Locks, at once. */
  withLock(decide: () => void): Promise<void>;
  timeoutMs: number;
  warningMs: number;
  /** Activity is recorded at most once per this many ms, except near the deadline (then at once). */
  throttleMs: number;
  /** The end: signs this tab's user out (and, when `decidedHere`, goes on to RP-initiated logout if asked). */
  end(decidedHere: boolean): Promise<void>;
}

/**
 * One tab's part in the app's idle timeout. The tabs share one deadline in storage: activity in any tab moves it
 * (throttled, so a mouse move costs a comparison), every tab schedules its warning and its timeout from it, and
 * the tab whose timer reaches the deadline first decides under a lock — re-reading the record there, so that
 * activity another tab recorded meanwhile wins — and marks it timed out, which the other tabs follow.
 */
export function createIdleWatch(deps: IdleWatchDeps): IdleWatch {
  const { clock, timeoutMs, warningMs, throttleMs } = deps;
  const events = new Emitter<IdleEvents>();
  let state: IdleState = 'active';
  let deadline: number;
  let timer: TimerHandle | undefined;
  let trailing: TimerHandle | undefined;
  let lastWrite = -Infinity;
  let pendingActivity: number | undefined;
  let deciding = false;

  const read = (): IdleRecord | undefined => {
    try {
      return parseIdleRecord(deps.storage.getItem(deps.key));
    } catch {
      return undefined;
    }
  };
  const write = (record: IdleRecord): void => {
    try {
      deps.storage.setItem(deps.key, JSON.stringify(record));
    } catch {
      // Storage disabled or full: this tab keeps its own deadline; the others cannot see it.
    }
  };
  /**
   * A timed-out mark ends this tab's period when it was written after the tab started: a mark's deadline is the
   * moment of its decision or earlier, and every deadline of this period is later than its start.
   */
  const endedNow = (record: IdleRecord | undefined): boolean => record?.timedOut === true && record.deadline > startedAt;
  const over = (): boolean => state === 'timedOut' || state === 'stopped';

  const setState = (next: IdleState): void => {
    const previous = state;
    if (previous === next) return;
    state = next;
    events.emit('state', { state: next, previous });
  };

  const clearTimers = (): void => {
    if (timer !== undefined) clock.clearTimeout(timer);
    if (trailing !== undefined) clock.clearTimeout(trailing);
    timer = trailing = undefined;
  };

  const startedAt = clock.now();
  const start = startingDeadline(read(), startedAt, timeoutMs);
  deadline = start.deadline;
  if (start.fresh) write({ deadline });
  const unsubscribeRecord = deps.subscribeRecord(() => evaluate());
  const unsubscribeActivity = deps.subscribeActivity(onActivity);

  function teardown(): void {
    clearTimers();
    unsubscribeRecord();
    unsubscribeActivity();
  }

  /** Brings this tab in line with the shared record and the clock; schedules the next step. */
  function evaluate(): void {
    if (over()) return;
    const record = read();
    if (endedNow(record)) return finish(false);
    if (record && !record.timedOut && record.deadline > deadline) deadline = record.deadline;
    else if (!record || record.timedOut) write({ deadline }); // cleared by another script, or an earlier period's mark
    const now = clock.now();
    const phase = idlePhase(deadline, now, warningMs);
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    if (phase === 'due') return decide();
    if (phase === 'warning' && state === 'active') {
      setState('warning');
      events.emit('warning', { remainingMs: deadline - now, deadline });
    } else if (phase === 'active' && state === 'warning') {
      setState('active');
      events.emit('warningCancelled', { deadline });
    }
    const wakeAt = phase === 'active' ? deadline - warningMs : deadline;
    timer = clock.setTimeout(evaluate, Math.min(MAX_DELAY, Math.max(0, wakeAt - now)));
  }

  /** The deadline passed here: decide once for the app, unless another tab saw activity or decided already. */
  function decide(): void {
    if (deciding) return;
    deciding = true;
    deps
      .withLock(() => {
        if (over()) return;
        // This tab's own unrecorded activity counts too.
        if (pendingActivity !== undefined) record(pendingActivity, false);
        const shared = read();
        if (endedNow(shared)) return finish(false);
        if (shared && !shared.timedOut && shared.deadline > deadline) deadline = shared.deadline;
        if (deadline > clock.now()) return;
        write({ deadline, timedOut: true });
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
    teardown();
    setState('timedOut');
    events.emit('timeout', { decidedHere });
    deps.end(decidedHere).catch((error: unknown) => {
      // The app's own sign-out failed: surface it where the app's error reporting sees it.
      queueMicrotask(() => {
        throw error;
      });
    });
  }

  /** Records activity seen at `at` in the shared deadline. */
  function record(at: number, reevaluate = true): void {
    lastWrite = clock.now();
    pendingActivity = undefined;
    if (trailing !== undefined) clock.clearTimeout(trailing);
    trailing = undefined;
    const shared = read();
    if (endedNow(shared)) return reevaluate ? evaluate() : undefined;
    deadline = deadlineAfterActivity(deadline, shared, at, timeoutMs);
    write({ deadline });
    if (reevaluate) evaluate();
  }

  function onActivity(): void {
    if (over()) return;
    const now = clock.now();
    // Near the deadline (and during the warning) every activity counts at once; before, once per throttle period,
    // with the last one of a burst recorded at its end.
    if (now - lastWrite >= throttleMs || deadline - now <= Math.max(warningMs, 2 * throttleMs)) return record(now);
    pendingActivity = now;
    trailing ??= clock.setTimeout(() => {
      trailing = undefined;
      if (pendingActivity !== undefined && !over()) record(pendingActivity);
    }, lastWrite + throttleMs - now);
  }

  // After the caller has subscribed: a tab that joins during a warning hears it too.
  queueMicrotask(evaluate);

  return {
    get state() {
      return state;
    },
    get deadline() {
      return over() ? undefined : deadline;
    },
    remainingMs: () => (over() ? 0 : Math.max(0, deadline - clock.now())),
    on: (event, handler) => events.on(event, handler),
    extend() {
      if (!over()) record(clock.now());
    },
    stop() {
      if (over()) return;
      teardown();
      setState('stopped');
      events.clear();
    },
  };
}
