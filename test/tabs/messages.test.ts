import { describe, expect, it } from 'vitest';
import { tabChannelName } from '../../src/tabs/channel.js';
import { parseTabMessage } from '../../src/tabs/messages.js';
import type { SignedOutReason } from '../../src/monitor/types.js';
import { UNAVAILABLE_REASONS } from '../support/reasons.js';
import { appKey } from '../../src/session/keys.js';

const WELL_FORMED: Array<Record<string, unknown>> = [
  { type: 'signedOut', reason: 'login_required', sub: 'alice' },
  { type: 'userChanged', previousSub: 'alice', sub: 'bob' },
  { type: 'refreshed', sub: 'alice', session_state: 's2', previous_session_state: 's1' },
  // An OP without session management, watched by re-check, sends no session_state.
  { type: 'refreshed', sub: 'alice', session_state: '', previous_session_state: '' },
  { type: 'unavailable', sub: 'alice', reason: 'no-reply', detail: 'x', retrying: true },
  { type: 'monitoring', sub: 'alice' },
  { type: 'frontChannelLogout', iss: 'https://op.example', sid: 'S1' },
  { type: 'hello', sub: 'alice' },
];

describe('tab messages', () => {
  it.each(WELL_FORMED)('accepts a well-formed $type message', (message) => {
    expect(parseTabMessage(message)).toEqual(message);
  });

  // Every field of every message is checked: each one missing, or of another type, makes the message junk.
  it.each(
    WELL_FORMED.flatMap((message) =>
      Object.keys(message)
        .filter((field) => field !== 'type')
        .flatMap((field) => [undefined, 42, {}, ['x']].map((bad) => [message.type, field, bad, { ...message, [field]: bad }] as const)),
    ),
  )('ignores a %s message whose %s is %o', (_type, _field, _bad, message) => {
    expect(parseTabMessage(message)).toBeUndefined();
  });

  it('copies only the known fields, so junk never reaches the app\'s events', () => {
    const parsed = parseTabMessage({ type: 'refreshed', sub: 'alice', session_state: 's2', previous_session_state: 's1', html: '<img onerror=x>', __proto__: { polluted: true } });
    expect(parsed).toEqual({ type: 'refreshed', sub: 'alice', session_state: 's2', previous_session_state: 's1' });
    expect(Object.keys(parsed!)).toEqual(['type', 'sub', 'session_state', 'previous_session_state']);
  });

  it.each([
    ['no sub on signedOut (it would match any tab)', { type: 'signedOut', reason: 'login_required' }],
    ['an unknown sign-out reason', { type: 'signedOut', reason: 'because', sub: 'alice' }],
    ['a userChanged without previousSub', { type: 'userChanged', sub: 'bob' }],
    ['a session_state with a space (SM §2)', { type: 'refreshed', sub: 'a', session_state: 'a b', previous_session_state: '' }],
    ['an unknown unavailable reason', { type: 'unavailable', sub: 'a', reason: 'nope', detail: '', retrying: true }],
    ['retrying that is not a boolean', { type: 'unavailable', sub: 'a', reason: 'no-reply', detail: '', retrying: 'yes' }],
    ['a front-channel request without sid (it would match tokens without sid)', { type: 'frontChannelLogout', iss: 'https://op.example' }],
    ['a front-channel request with an empty sid', { type: 'frontChannelLogout', iss: 'https://op.example', sid: '' }],
    ['a number for sub', { type: 'monitoring', sub: 42 }],
    ['an oversized field', { type: 'signedOut', reason: 'logout', sub: 'x'.repeat(5000) }],
    ['an unknown type', { type: 'hello' }],
    ['a string', 'signedOut'],
    ['null', null],
  ])('ignores %s', (_name, message) => {
    expect(parseTabMessage(message)).toBeUndefined();
  });
});

// Every reason a tab can send, listed through a Record so that a reason added to the types must be added here too
// (the compiler refuses a missing key): the receiving tab must understand all of them, or a sign-out or an outage
// in one tab would never reach the others.
const SIGN_OUT_REASONS: Record<SignedOutReason, boolean> = {
  login_required: true,
  interaction_required: true,
  consent_required: true,
  account_selection_required: true,
  'error-status': true,
  logout: true,
  'front-channel': true,
  'other-tab': true,
  // Each tab's own idle watch signs its user out; a tab never follows another tab's idle sign-out.
  idle: false,
};

describe('every message a tab sends reaches the other tabs', () => {
  it.each(Object.entries(SIGN_OUT_REASONS))('a sign-out for reason %s is understood: %s', (reason, understood) => {
    const message = { type: 'signedOut', reason, sub: 'alice' };
    expect(parseTabMessage(JSON.parse(JSON.stringify(message)))).toEqual(understood ? message : undefined);
  });

  it.each(UNAVAILABLE_REASONS)('an outage for reason %s is understood, retrying or not', (reason) => {
    for (const retrying of [true, false]) {
      const message = { type: 'unavailable', sub: 'alice', reason, detail: 'the OP did not answer', retrying };
      expect(parseTabMessage(message)).toEqual(message);
    }
  });

  it('a renewal is understood, and names its user', () => {
    expect(parseTabMessage({ type: 'renewed', sub: 'alice' })).toEqual({ type: 'renewed', sub: 'alice' });
    expect(parseTabMessage({ type: 'renewed', sub: 'alice', accessToken: 'at' })).toEqual({ type: 'renewed', sub: 'alice' });
    expect(parseTabMessage({ type: 'renewed', sub: '' })).toBeUndefined();
    expect(parseTabMessage({ type: 'renewed' })).toBeUndefined();
  });

  // A monitor that watches without a signed-in user (anonymous) has no sub: what it says about "nobody" still counts.
  it.each(['monitoring', 'hello'])('a %s message may be about nobody (an empty sub)', (type) => {
    expect(parseTabMessage({ type, sub: '' })).toEqual({ type, sub: '' });
  });

  it('an outage may be about nobody, with no detail', () => {
    const message = { type: 'unavailable', sub: '', reason: 'no-reply', detail: '', retrying: false };
    expect(parseTabMessage(message)).toEqual(message);
  });

  it.each([
    ['signedOut', { type: 'signedOut', reason: 'logout', sub: '' }],
    ['userChanged', { type: 'userChanged', previousSub: '', sub: 'bob' }],
    ['userChanged', { type: 'userChanged', previousSub: 'alice', sub: '' }],
    ['refreshed', { type: 'refreshed', sub: '', session_state: 's', previous_session_state: '' }],
    ['frontChannelLogout', { type: 'frontChannelLogout', iss: '', sid: 'S1' }],
  ])('a %s message about nobody is ignored (it would match an anonymous tab)', (_type, message) => {
    expect(parseTabMessage(message)).toBeUndefined();
  });

  it('takes fields up to 2048 characters (a sub is at most 255, Core §2) and no longer', () => {
    const longest = 'x'.repeat(2048);
    expect(parseTabMessage({ type: 'signedOut', reason: 'logout', sub: longest })).toEqual({ type: 'signedOut', reason: 'logout', sub: longest });
    expect(parseTabMessage({ type: 'monitoring', sub: longest })).toEqual({ type: 'monitoring', sub: longest });
    expect(parseTabMessage({ type: 'signedOut', reason: 'logout', sub: `${longest}x` })).toBeUndefined();
    expect(parseTabMessage({ type: 'monitoring', sub: `${longest}x` })).toBeUndefined();
  });

  it.each([null, undefined, 0, true, 'hello'])('ignores %o without throwing', (value) => {
    expect(() => parseTabMessage(value)).not.toThrow();
    expect(parseTabMessage(value)).toBeUndefined();
  });
});

describe('names kept in the browser', () => {
  it('cannot collide when issuer or client_id contain the separator', () => {
    expect(tabChannelName('https://op.example', 'a:b')).not.toBe(tabChannelName('https://op.example:a', 'b'));
    expect(tabChannelName('https://op.example', 'a')).toBe('oidc-session-monitor:tabs:https%3A%2F%2Fop.example:a');
    expect(appKey('leader', 'https://op', 'c', 'a:b')).not.toBe(appKey('leader', 'https://op', 'c:a', 'b'));
  });
});
