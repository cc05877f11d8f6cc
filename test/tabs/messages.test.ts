import { describe, expect, it } from 'vitest';
import { tabChannelName } from '../../src/tabs/channel.js';
import { parseTabMessage } from '../../src/tabs/messages.js';
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

describe('names kept in the browser', () => {
  it('cannot collide when issuer or client_id contain the separator', () => {
    expect(tabChannelName('https://op.example', 'a:b')).not.toBe(tabChannelName('https://op.example:a', 'b'));
    expect(tabChannelName('https://op.example', 'a')).toBe('oidc-session-monitor:tabs:https%3A%2F%2Fop.example:a');
    expect(appKey('leader', 'https://op', 'c', 'a:b')).not.toBe(appKey('leader', 'https://op', 'c:a', 'b'));
  });
});
