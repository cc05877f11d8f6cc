// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { agoOf, canDecide, clockJumped, idlePhase, joiningIdleFor, parseIdleMessage, parseIdleRecord, sessionTag } from '../../src/idle/idle-record.js';

const T = 10_000;

describe('the idle decisions', () => {
  it.each([
    ['no record', undefined, 5000, undefined],
    ["another session's record", { s: 'other', at: 4000, n: 'x' }, 5000, undefined],
    ['a timed-out record', { s: 'mine', at: 4000, n: 'x', out: true as const }, 5000, undefined],
    ['a record whose timeout passed with no tab open', { s: 'mine', at: 0, n: 'x' }, T, undefined],
    ['a running period', { s: 'mine', at: 4000, n: 'x' }, 5000, 1000],
    ['a period 1 ms short of its timeout', { s: 'mine', at: 1, n: 'x' }, T, T - 1],
    ['a record from the future (the clock was set back)', { s: 'mine', at: 9000, n: 'x' }, 5000, 0],
  ])('a tab that starts joins %s with idleFor = %j', (_what, record, wallNow, expected) => {
    expect(joiningIdleFor(record, 'mine', wallNow, T)).toBe(expected);
  });

  it.each([
    [0, 'active'],
    [T - 2001, 'active'],
    [T - 2000, 'warning'],
    [T - 1, 'warning'],
    [T, 'due'],
    [T + 1, 'due'],
  ] as const)('after %i ms idle the phase is %s (warning 2000)', (idleFor, phase) => {
    expect(idlePhase(idleFor, T, 2000)).toBe(phase);
  });

  it.each([
    [true, true, true],
    [true, false, true],
    [false, true, true],
    [false, false, false],
  ])('storage writable %s, channel %s: may decide %s', (storage, channel, expected) => {
    expect(canDecide(storage, channel)).toBe(expected);
  });

  it('reads activity times as "ago", never in the future and never beyond the timeout', () => {
    expect([agoOf(900, 1000, T), agoOf(2000, 1000, T), agoOf(-1e9, 1000, T)]).toEqual([100, 0, T]);
  });

  it('sees a jump only beyond the tolerance, either way', () => {
    expect([clockJumped(0, 1000), clockJumped(0, 1001), clockJumped(0, -1001), clockJumped(5, -5)]).toEqual([false, true, true, false]);
  });

  it('names the session by sid and auth_time', () => {
    expect([sessionTag({ sid: 's1', auth_time: 17 }), sessionTag({ sid: 's1' }), sessionTag(undefined), sessionTag({ sid: 3, auth_time: '1' })]).toEqual(['s1 17', 's1 ', ' ', ' ']);
  });

  it.each([
    ['{"s":"a","at":1,"n":"x"}', { s: 'a', at: 1, n: 'x' }],
    ['{"s":"a","at":1,"n":"x","out":true}', { s: 'a', at: 1, n: 'x', out: true }],
    ['{"s":"a","at":1,"n":"x","out":"yes"}', { s: 'a', at: 1, n: 'x' }],
    ['{"s":"a","at":"1","n":"x"}', undefined],
    ['{"s":1,"at":1,"n":"x"}', undefined],
    ['{"s":"a","at":1,"n":2}', undefined],
    ['{"s":"a","at":1e999,"n":"x"}', undefined],
    ['{"deadline":5}', undefined],
    ['[]', undefined],
    ['not json', undefined],
    [null, undefined],
  ])('reads the record %j as %j', (text, expected) => {
    expect(parseIdleRecord(text)).toEqual(expected);
  });

  it.each([
    [{ t: 'activity', ago: 5 }, { t: 'activity', ago: 5 }],
    [{ t: 'activity', ago: Number.NaN }, undefined],
    [{ t: 'activity', ago: '5' }, undefined],
    [{ t: 'activity', ago: Number.POSITIVE_INFINITY }, undefined],
    [{ t: 'signedOut', ago: 5 }, undefined],
    [{ t: 'timedOut', extra: 1 }, { t: 'timedOut' }],
    [{ t: 'hello' }, { t: 'hello' }],
    [{ t: 'signedOut' }, undefined],
    ['timedOut', undefined],
    [null, undefined],
  ])('reads the message %j as %j', (data, expected) => {
    expect(parseIdleMessage(data)).toEqual(expected);
  });
});
