import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { decodeJwtClaims } from '../../src/jwt.js';
import { idTokenMatches } from '../../src/session/id-token-matches.js';
import { type HandleFrontChannelLogoutOptions, handleFrontChannelLogout } from '../../src/logout/handle-front-channel-logout.js';
import { fakeIdToken, recordingChannel } from './fakes.js';

const issuer = 'https://op.example.com';
const page = 'https://rp.example.com/frontchannel-logout';
const idToken = fakeIdToken({ iss: issuer, sub: 'alice', sid: 'sid-1' });

function harness(url: string, user: { id_token?: string } | null = { id_token: idToken }, extra: Partial<HandleFrontChannelLogoutOptions> = {}) {
  let current = user;
  const removed: string[] = [];
  const channel = recordingChannel();
  const options: HandleFrontChannelLogoutOptions = {
    issuer,
    url,
    channel,
    getUser: async () => current,
    removeUser: async () => {
      removed.push('user');
      current = null;
    },
    ...extra,
  };
  return { options, removed, channel };
}

const q = (iss: string, sid: string) => `${page}?iss=${encodeURIComponent(iss)}&sid=${encodeURIComponent(sid)}`;

describe('handleFrontChannelLogout', () => {
  it('signs out and tells every tab when iss and sid match the current session', async () => {
    const { options, removed, channel } = harness(q(issuer, 'sid-1'));
    await expect(handleFrontChannelLogout(options)).resolves.toEqual({ signedOut: true, alreadySignedOut: false });
    expect(removed).toEqual(['user']);
    expect(channel.posted).toEqual([{ type: 'signedOut', reason: 'front-channel', sub: 'alice' }]);
  });

  it('keeps a query the RP registered in its logout URI', async () => {
    const { options, removed } = harness(`${page}?app=main&iss=${encodeURIComponent(issuer)}&sid=sid-1`);
    await expect(handleFrontChannelLogout(options)).resolves.toMatchObject({ signedOut: true });
    expect(removed).toEqual(['user']);
  });

  it.each([
    ['another sid', q(issuer, 'sid-2')],
    ['another issuer', q('https://evil.example', 'sid-1')],
    ['an issuer differing only by a trailing slash', q(`${issuer}/`, 'sid-1')],
  ])('ignores a request for %s and removes nothing', async (_label, url) => {
    const { options, removed, channel } = harness(url);
    await expect(handleFrontChannelLogout(options)).resolves.toEqual({ signedOut: false, reason: 'mismatch' });
    expect(removed).toEqual([]);
    expect(channel.posted).toEqual([]);
  });

  it('ignores a request when the ID token was issued by someone else than the configured issuer', async () => {
    const foreign = fakeIdToken({ iss: 'https://other-op.example', sid: 'sid-1' });
    const { options, removed } = harness(q(issuer, 'sid-1'), { id_token: foreign });
    await expect(handleFrontChannelLogout(options)).resolves.toEqual({ signedOut: false, reason: 'mismatch' });
    expect(removed).toEqual([]);
  });

  it('ignores a request when the ID token has no sid to compare', async () => {
    const { options, removed } = harness(q(issuer, 'sid-1'), { id_token: fakeIdToken({ iss: issuer, sub: 'alice' }) });
    await expect(handleFrontChannelLogout(options)).resolves.toEqual({ signedOut: false, reason: 'mismatch' });
    expect(removed).toEqual([]);
  });

  it.each([
    ['only iss', `${page}?iss=${encodeURIComponent(issuer)}`],
    ['only sid', `${page}?sid=sid-1`],
    ['an empty sid', `${page}?iss=${encodeURIComponent(issuer)}&sid=`],
    ['a repeated sid', `${q(issuer, 'sid-1')}&sid=sid-2`],
  ])('rejects a request with %s as front_channel_invalid', async (_label, url) => {
    const { options, removed } = harness(url);
    await expect(handleFrontChannelLogout(options)).rejects.toMatchObject({ code: ErrorCode.FrontChannelInvalid });
    expect(removed).toEqual([]);
  });

  it('ignores a request without iss and sid by default, since any site can load this URL', async () => {
    const { options, removed } = harness(page);
    await expect(handleFrontChannelLogout(options)).resolves.toEqual({ signedOut: false, reason: 'session_required' });
    expect(removed).toEqual([]);
  });

  it('acts on a request without iss and sid when requireSession is false', async () => {
    const { options, removed, channel } = harness(page, undefined, { requireSession: false });
    await expect(handleFrontChannelLogout(options)).resolves.toEqual({ signedOut: true, alreadySignedOut: false });
    expect(removed).toEqual(['user']);
    expect(channel.posted).toHaveLength(1);
  });

  it('still checks iss and sid when they are present and requireSession is false', async () => {
    const { options, removed } = harness(q(issuer, 'sid-x'), undefined, { requireSession: false });
    await expect(handleFrontChannelLogout(options)).resolves.toEqual({ signedOut: false, reason: 'mismatch' });
    expect(removed).toEqual([]);
  });

  it('counts the logout as succeeded when no user is signed in', async () => {
    const { options, removed, channel } = harness(q(issuer, 'sid-1'), null);
    await expect(handleFrontChannelLogout(options)).resolves.toEqual({ signedOut: true, alreadySignedOut: true });
    expect(removed).toEqual([]);
    expect(channel.posted).toEqual([]);
  });

  it.each([
    ['not a JWT', 'garbage'],
    ['bad base64url', 'a.!!!.c'],
    ['a payload that is not JSON', `a.${Buffer.from('{nope').toString('base64url')}.c`],
    ['a JSON array payload', `a.${Buffer.from('[1]').toString('base64url')}.c`],
    ['invalid UTF-8', `a.${Buffer.from([0xff, 0xfe]).toString('base64url')}.c`],
    ['no id_token at all', undefined],
  ])('treats a stored ID token that is %s as no session, without crashing', async (_label, token) => {
    const { options, removed } = harness(q(issuer, 'sid-1'), { id_token: token });
    await expect(handleFrontChannelLogout(options)).resolves.toEqual({ signedOut: true, alreadySignedOut: true });
    expect(removed).toEqual([]);
  });

  it('throws a TypeError synchronously without an issuer', () => {
    const { options } = harness(q(issuer, 'sid-1'));
    expect(() => handleFrontChannelLogout({ ...options, issuer: '' })).toThrow(/issuer/);
  });
});

describe('reading the session of an ID token', () => {
  it('reads iss, sid and sub, including non-ASCII values', () => {
    expect(decodeJwtClaims(fakeIdToken({ iss: issuer, sid: 'ß-1', sub: 'zoë', aud: 'x' }))).toMatchObject({ iss: issuer, sid: 'ß-1', sub: 'zoë' });
  });

  it('matches only string claims equal to the request, never a token without sid', () => {
    expect(idTokenMatches(fakeIdToken({ iss: issuer, sid: 'ß-1' }), issuer, 'ß-1')).toBe(true);
    expect(idTokenMatches(fakeIdToken({ iss: 1, sid: { a: 1 }, sub: null }), '1', '[object Object]')).toBe(false);
    expect(idTokenMatches(fakeIdToken({ iss: issuer }), issuer, 'undefined')).toBe(false);
  });

  it('returns undefined for five-part (encrypted) or non-string tokens', () => {
    expect(decodeJwtClaims('a.b.c.d.e')).toBeUndefined();
    expect(decodeJwtClaims(42)).toBeUndefined();
  });
});
