import { describe, expect, it } from 'vitest';
import { buildLogoutUrl } from '../../src/logout/build-logout-url.js';

const endpoint = 'https://op.example.com/session/end';

function query(url: string): [string, string][] {
  return [...new URL(url).searchParams];
}

describe('buildLogoutUrl', () => {
  it('sends only the endpoint when no parameter is given', () => {
    expect(buildLogoutUrl({ end_session_endpoint: endpoint })).toBe(endpoint);
  });

  it('adds every named parameter once, in a stable order', () => {
    const url = buildLogoutUrl({
      end_session_endpoint: endpoint,
      id_token_hint: 'aaa.bbb.ccc',
      logout_hint: 'alice@example.com',
      client_id: 'app',
      post_logout_redirect_uri: 'https://rp.example.com/signed-out',
      state: 'xyz',
      ui_locales: 'de-CH en',
    });
    expect(query(url)).toEqual([
      ['id_token_hint', 'aaa.bbb.ccc'],
      ['logout_hint', 'alice@example.com'],
      ['client_id', 'app'],
      ['post_logout_redirect_uri', 'https://rp.example.com/signed-out'],
      ['state', 'xyz'],
      ['ui_locales', 'de-CH en'],
    ]);
  });

  it.each([
    ['id_token_hint'],
    ['logout_hint'],
    ['client_id'],
    ['post_logout_redirect_uri'],
    ['state'],
    ['ui_locales'],
  ] as const)('leaves %s out when it is not given', (name) => {
    const all = {
      id_token_hint: 'h',
      logout_hint: 'l',
      client_id: 'c',
      post_logout_redirect_uri: 'https://rp.example.com/',
      state: 's',
      ui_locales: 'en',
    };
    const { [name]: _omitted, ...rest } = all;
    const params = new URL(buildLogoutUrl({ end_session_endpoint: endpoint, ...rest })).searchParams;
    expect(params.has(name)).toBe(false);
    expect([...params.keys()]).toHaveLength(5);
  });

  it('percent-encodes spaces, unicode, & and = so that each value round-trips intact', () => {
    const tricky = 'Zoë & Åsa = "friends" ?#/+%';
    const url = buildLogoutUrl({ end_session_endpoint: endpoint, logout_hint: tricky, client_id: 'a&client_id=evil' });
    expect(url).not.toContain(' ');
    expect(url).not.toContain('#');
    expect(new URL(url).searchParams.get('logout_hint')).toBe(tricky);
    expect(new URL(url).searchParams.getAll('client_id')).toEqual(['a&client_id=evil']);
  });

  it('keeps the query already in the endpoint URL', () => {
    const url = buildLogoutUrl({ end_session_endpoint: `${endpoint}?p=B2C_1_signin&x=1`, client_id: 'app' });
    expect(query(url)).toEqual([
      ['p', 'B2C_1_signin'],
      ['x', '1'],
      ['client_id', 'app'],
    ]);
  });

  it('replaces a same-named parameter already in the endpoint URL instead of sending two', () => {
    const url = buildLogoutUrl({ end_session_endpoint: `${endpoint}?client_id=stale`, client_id: 'app' });
    expect(new URL(url).searchParams.getAll('client_id')).toEqual(['app']);
  });

  it('drops a fragment of the endpoint URL', () => {
    const url = buildLogoutUrl({ end_session_endpoint: `${endpoint}?a=1#frag`, state: 's' });
    expect(url).toBe(`${endpoint}?a=1&state=s`);
  });

  it('joins a ui_locales array with single spaces', () => {
    const url = buildLogoutUrl({ end_session_endpoint: endpoint, ui_locales: ['fr-CA', 'fr', 'en'] });
    expect(new URL(url).searchParams.get('ui_locales')).toBe('fr-CA fr en');
  });

  it('normalizes extra whitespace in a ui_locales string', () => {
    const url = buildLogoutUrl({ end_session_endpoint: endpoint, ui_locales: '  de   en ' });
    expect(new URL(url).searchParams.get('ui_locales')).toBe('de en');
  });

  it('leaves ui_locales out for an empty array', () => {
    expect(buildLogoutUrl({ end_session_endpoint: endpoint, ui_locales: [] })).toBe(endpoint);
  });

  it('appends extraParams after the named parameters', () => {
    const url = buildLogoutUrl({ end_session_endpoint: endpoint, client_id: 'app', extraParams: { federated: '1', 'a b': 'c&d' } });
    expect(query(url)).toEqual([
      ['client_id', 'app'],
      ['federated', '1'],
      ['a b', 'c&d'],
    ]);
  });

  it('keeps a parameter named __proto__ as a plain parameter', () => {
    const extraParams = JSON.parse('{"__proto__":"x"}') as Record<string, string>;
    const url = buildLogoutUrl({ end_session_endpoint: endpoint, extraParams });
    expect(new URL(url).searchParams.get('__proto__')).toBe('x');
  });

  it.each(['id_token_hint', 'logout_hint', 'client_id', 'post_logout_redirect_uri', 'state', 'ui_locales'])(
    'refuses extraParams.%s, which would override a named parameter',
    (name) => {
      expect(() =>
        buildLogoutUrl({ end_session_endpoint: endpoint, state: 'real', client_id: 'real', extraParams: { [name]: 'evil' } }),
      ).toThrow(new RegExp(`extraParams\\.${name}`));
    },
  );

  it('refuses non-string extraParams values', () => {
    const extraParams = { n: 1 } as unknown as Record<string, string>;
    expect(() => buildLogoutUrl({ end_session_endpoint: endpoint, extraParams })).toThrow(/extraParams\.n must be a string/);
  });

  it.each([
    ['a relative endpoint', '/session/end'],
    ['a javascript: endpoint', 'javascript:alert(1)'],
    ['a data: endpoint', 'data:text/html,hi'],
    ['an ftp endpoint', 'ftp://op.example.com/end'],
    ['an empty endpoint', ''],
  ])('refuses %s with a TypeError naming end_session_endpoint', (_label, value) => {
    expect(() => buildLogoutUrl({ end_session_endpoint: value })).toThrow(TypeError);
    expect(() => buildLogoutUrl({ end_session_endpoint: value })).toThrow(/end_session_endpoint/);
  });

  it('accepts an http endpoint for local testing', () => {
    expect(buildLogoutUrl({ end_session_endpoint: 'http://localhost:4000/end' })).toBe('http://localhost:4000/end');
  });

  it.each([
    ['a fragment', 'https://rp.example.com/out#done'],
    ['an empty fragment', 'https://rp.example.com/out#'],
    ['a relative URI', '/out'],
    ['a javascript: URI', 'javascript:alert(1)'],
  ])('refuses a post_logout_redirect_uri with %s, naming it', (_label, value) => {
    expect(() => buildLogoutUrl({ end_session_endpoint: endpoint, post_logout_redirect_uri: value })).toThrow(
      /post_logout_redirect_uri/,
    );
  });

  it('sends post_logout_redirect_uri exactly as given, because the OP compares it character by character', () => {
    const uri = 'https://RP.example.com:443/out?b=2&a=1';
    const url = buildLogoutUrl({ end_session_endpoint: endpoint, post_logout_redirect_uri: uri });
    expect(new URL(url).searchParams.get('post_logout_redirect_uri')).toBe(uri);
  });

  it.each([
    ['an empty state', { state: '' }, /state/],
    ['an empty client_id', { client_id: '' }, /client_id/],
    ['a numeric id_token_hint', { id_token_hint: 42 as unknown as string }, /id_token_hint/],
    ['a ui_locales tag with a space', { ui_locales: ['de CH'] }, /ui_locales/],
    ['an empty ui_locales tag', { ui_locales: ['en', ''] }, /ui_locales/],
  ])('refuses %s with a TypeError naming the field', (_label, params, message) => {
    expect(() => buildLogoutUrl({ end_session_endpoint: endpoint, ...params })).toThrow(message);
  });
});
