// @vitest-environment node
import { afterEach, describe, expect, it, vi } from 'vitest';
import { watchIdle } from '../../src/idle/watch-idle.js';

// watchIdle outside a browser page (server-side rendering, a worker, a test runner without a DOM): the caller hears
// which mistake it made — no options at all, or no page to watch — with the message that says so.

const NO_PAGE = /^watchIdle runs in a browser page: there is no window here\.$/;
const valid = { issuer: 'https://op.example', client_id: 'app', sub: 'alice', signOut: () => {}, timeout: 10_000 };

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('watchIdle outside a browser page', () => {
  it.each([undefined, null, 'options'])('given %j instead of options, says the options object is missing (not that the page is)', (options) => {
    expect(() => watchIdle(options as never)).toThrow(new TypeError('watchIdle needs an options object.'));
  });

  it('with valid options but no window, says it needs a browser page', () => {
    expect(() => watchIdle(valid)).toThrow(TypeError);
    expect(() => watchIdle(valid)).toThrow(NO_PAGE);
  });

  it('with a window but no document (not a page), says it needs a browser page', () => {
    vi.stubGlobal('window', {});
    expect(() => watchIdle(valid)).toThrow(NO_PAGE);
  });

  it('with a document but no window, says it needs a browser page', () => {
    vi.stubGlobal('document', {});
    expect(() => watchIdle(valid)).toThrow(NO_PAGE);
  });
});
