import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NavigateParams } from 'oidc-client-ts';
import { ErrorCode, isOidcSessionMonitorError } from '../../src/errors.js';
import { silentFrames } from '../../src/session/silent-frames.js';
import { trackListeners } from '../support/listeners.js';

const APP = window.location.origin;
const AUTHORIZE = 'https://op.example/authorize?prompt=none&state=S1';
const PARAMS: NavigateParams = { url: AUTHORIZE, state: 'S1', response_mode: 'query' };

interface StandIn {
  /** `href` is where the iframe is now: readable only while its page is of the app's origin (`undefined`: the OP's). */
  location: { replace: ReturnType<typeof vi.fn>; href?: string };
}

/**
 * happy-dom loads no iframe page, so each iframe gets a stand-in window: the `event.source`, and where it was sent.
 * `windowless`: iframes have no window at all (`contentWindow` is `null`, as for an iframe taken out of the page).
 */
function host(windowless = false) {
  const windows: StandIn[] = [];
  const doc = new Proxy(document, {
    get(target, key) {
      if (key === 'createElement') {
        return (tag: string) => {
          const element = target.createElement(tag);
          const standIn: StandIn = {
            location: {
              replace: vi.fn(),
              get href(): string {
                if (this._href === undefined) throw new DOMException('Blocked a frame from accessing a cross-origin frame.', 'SecurityError');
                return this._href;
              },
              set href(value: string) {
                this._href = value;
              },
            } as StandIn['location'] & { _href?: string },
          };
          windows.push(standIn);
          Object.defineProperty(element, 'contentWindow', { value: windowless ? null : standIn });
          return element;
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { host: { window, document: doc }, windows };
}

function setup(timeoutSeconds = 10, allowInsecureHttp = false) {
  const { host: frameHost, windows } = host();
  const frames = silentFrames(timeoutSeconds, allowInsecureHttp, frameHost);
  const iframes = () => [...document.querySelectorAll('iframe')];
  const answer = (from: unknown, data: unknown, origin = APP) => window.dispatchEvent(new MessageEvent('message', { origin, source: from as MessageEventSource, data }));
  const callback = (state = 'S1') => ({ source: 'oidc-client', url: `${APP}/silent.html?error=login_required&state=${state}` });
  return { frames, windows, iframes, answer, callback };
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  document.body.innerHTML = '';
});

describe("the re-check's hidden iframes", () => {
  it('keeps one blank, hidden iframe ready, and sends the request in it: no iframe is added when the answer is needed', async () => {
    const { frames, windows, iframes, answer, callback } = setup();
    frames.warm();
    frames.warm();
    expect(iframes()).toHaveLength(1);
    const [ready] = iframes();
    expect(ready!.hasAttribute('src')).toBe(false);
    expect(ready!.getAttribute('aria-hidden')).toBe('true');
    expect(ready!.style.visibility).toBe('hidden');
    const pending = (await frames.prepare({})).navigate(PARAMS);
    expect(iframes()).toEqual([ready]);
    expect(windows[0]!.location.replace).toHaveBeenCalledWith(AUTHORIZE);
    answer(windows[0], callback());
    await expect(pending).resolves.toEqual({ url: callback().url });
  });

  it.each(['javascript:alert(1)', 'JavaScript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'about:blank', ' javascript:x'])(
    'never loads a request URL that is not a web address (%s): the authorization endpoint comes from discovery',
    async (url) => {
      const { frames, windows } = setup();
      frames.warm();
      await expect((await frames.prepare({})).navigate({ ...PARAMS, url })).rejects.toThrow(/authorization_endpoint must be an https: URL/);
      expect(windows[0]!.location.replace).not.toHaveBeenCalled();
    },
  );

  it('never sends the request (and its id_token_hint) over plain http: to a public host: the re-check fails as unknown, invalid_metadata', async () => {
    const { frames, windows } = setup();
    frames.warm();
    const url = 'http://op.example/authorize?prompt=none&id_token_hint=eyJ.secret.sig&state=S1';
    const error = await (await frames.prepare({})).navigate({ ...PARAMS, url }).catch((caught: unknown) => caught);
    expect(isOidcSessionMonitorError(error, ErrorCode.InvalidMetadata)).toBe(true);
    expect((error as Error).message).toMatch(/authorization_endpoint uses http: on a non-loopback host \(op\.example\)/);
    expect((error as Error).message).not.toContain('secret');
    expect(windows[0]!.location.replace).not.toHaveBeenCalled();
  });

  it.each([
    ['http: on loopback', 'http://localhost:4000/authorize?state=S1', false],
    ['http: on 127.0.0.1', 'http://127.0.0.1:4000/authorize?state=S1', false],
    ['http: anywhere with allowInsecureHttp', 'http://op.lan/authorize?state=S1', true],
  ])('sends the request over %s, as for check_session_iframe and end_session_endpoint', async (_name, url, allowInsecureHttp) => {
    const { frames, windows, answer, callback } = setup(10, allowInsecureHttp);
    const pending = (await frames.prepare({})).navigate({ ...PARAMS, url });
    expect(windows[0]!.location.replace).toHaveBeenCalledWith(url);
    answer(windows[0], callback());
    await expect(pending).resolves.toEqual({ url: callback().url });
  });

  it('adds an iframe when none is ready', async () => {
    const { frames, windows, iframes, answer, callback } = setup();
    const pending = (await frames.prepare({})).navigate(PARAMS);
    expect(iframes()).toHaveLength(1);
    answer(windows[0], callback());
    await expect(pending).resolves.toEqual({ url: callback().url });
  });

  it('replaces a ready iframe that the app took out of the page: the request goes to a new one, which answers', async () => {
    const { frames, windows, iframes, answer, callback } = setup();
    frames.warm();
    iframes()[0]!.remove();
    const pending = (await frames.prepare({})).navigate(PARAMS);
    expect(iframes()).toHaveLength(1);
    expect(windows).toHaveLength(2);
    expect(windows[0]!.location.replace).not.toHaveBeenCalled();
    expect(windows[1]!.location.replace).toHaveBeenCalledWith(AUTHORIZE);
    answer(windows[1], callback());
    await expect(pending).resolves.toEqual({ url: callback().url });
  });

  it("takes the answer only from the request's iframe, from the callback page's origin, in oidc-client-ts's format, with the request's state", async () => {
    const { frames, windows, answer, callback } = setup();
    const settled = vi.fn();
    (await frames.prepare({})).navigate(PARAMS).then(settled, settled);
    const own = windows[0];
    answer(window, callback()); // another window
    answer({}, callback());
    answer(own, callback(), 'https://evil.example'); // another origin
    answer(own, callback(), 'https://op.example');
    answer(own, { ...callback(), source: 'other' }); // not oidc-client-ts's message
    answer(own, { source: 'oidc-client', url: 42 });
    answer(own, 'https://app.example/silent.html?state=S1');
    answer(own, null);
    answer(own, callback('S0')); // an earlier request's answer
    answer(own, { source: 'oidc-client', url: 'not a url' });
    await Promise.resolve();
    expect(settled).not.toHaveBeenCalled();
    answer(own, callback());
    await vi.waitFor(() => expect(settled).toHaveBeenCalledWith({ url: callback().url }));
  });

  it('reads the state from the fragment with response_mode=fragment, and takes the origin oidc-client-ts was told (iframeScriptOrigin)', async () => {
    const { frames, windows, answer } = setup();
    const pending = (await frames.prepare({})).navigate({ ...PARAMS, response_mode: 'fragment', scriptOrigin: 'https://cdn.example' });
    const url = `${APP}/silent.html#error=login_required&state=S1`;
    answer(windows[0], { source: 'oidc-client', url: `${APP}/silent.html?state=S1#state=S0` });
    answer(windows[0], { source: 'oidc-client', url: `${url}&from=page` }); // the page's origin, not the one configured
    answer(windows[0], { source: 'oidc-client', url }, 'https://cdn.example');
    await expect(pending).resolves.toEqual({ url });
  });

  it('an answered iframe becomes the ready one, blank again: one iframe serves request after request', async () => {
    const { frames, windows, iframes, answer, callback } = setup();
    for (const state of ['S1', 'S2', 'S3']) {
      const pending = (await frames.prepare({})).navigate({ ...PARAMS, state });
      answer(windows[0], callback(state));
      await pending;
      expect(windows[0]!.location.replace).toHaveBeenLastCalledWith('about:blank');
    }
    expect(windows).toHaveLength(1);
    expect(iframes()).toHaveLength(1);
  });

  it('a cancelled re-check ends its request at once and removes its iframe; a late answer from it reaches nobody', async () => {
    const { frames, windows, iframes, answer, callback } = setup();
    frames.warm();
    const abort = new AbortController();
    frames.bind(abort.signal);
    const first = (await frames.prepare({})).navigate(PARAMS);
    abort.abort();
    await expect(first).rejects.toThrow(/cancelled/);
    expect(iframes()).toHaveLength(0);
    // The next re-check gets a new iframe; the old page answering late is not its answer.
    frames.bind(new AbortController().signal);
    const settled = vi.fn();
    (await frames.prepare({})).navigate(PARAMS).then(settled, settled);
    answer(windows[0], callback());
    await Promise.resolve();
    expect(settled).not.toHaveBeenCalled();
    answer(windows[1], callback());
    await vi.waitFor(() => expect(settled).toHaveBeenCalled());
  });

  it('a re-check cancelled before its request is sent sends none', async () => {
    const { frames, windows } = setup();
    const abort = new AbortController();
    frames.bind(abort.signal);
    const handle = await frames.prepare({});
    abort.abort();
    await expect(handle.navigate(PARAMS)).rejects.toThrow(/cancelled/);
    expect(windows).toHaveLength(0);
  });

  it('gives up after silentRequestTimeoutInSeconds (the request argument first, then the setting) and removes the iframe', async () => {
    vi.useFakeTimers();
    const { frames, iframes } = setup(10);
    const first = (await frames.prepare({})).navigate(PARAMS);
    const caught = first.catch((error: Error) => error);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(iframes()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await caught).toBeInstanceOf(Error);
    expect(iframes()).toHaveLength(0);
    const second = (await frames.prepare({ silentRequestTimeoutInSeconds: 2 })).navigate(PARAMS).catch((error: Error) => error);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await second).toBeInstanceOf(Error);
  });

  it("when the answer reached a page of the app that did not pass it back, says so, with the fix (silent_callback_missing)", async () => {
    vi.useFakeTimers();
    const { frames, windows } = setup(10);
    const caught = (await frames.prepare({})).navigate(PARAMS).catch((error: unknown) => error);
    // The OP answered to the app's redirect_uri (oidc-client-ts's stand-in when silent_redirect_uri is not set),
    // whose page signs in and never calls signinSilentCallback().
    windows[0]!.location.href = `${APP}/callback.html?code=C&state=S1`;
    await vi.advanceTimersByTimeAsync(10_000);
    const error = await caught;
    expect(isOidcSessionMonitorError(error, ErrorCode.SilentCallbackMissing)).toBe(true);
    expect((error as Error).message).toContain(`${APP}/callback.html`);
    expect((error as Error).message).not.toContain('code=C');
    expect((error as Error).message).toMatch(/silent_redirect_uri.*signinSilentCallback\(\).*redirect_uri/);
  });

  it('when no answer came at all (the iframe still shows the OP, or is blank), it is an unknown failure, not silent_callback_missing', async () => {
    vi.useFakeTimers();
    const { frames, windows } = setup(10);
    const atOp = (await frames.prepare({})).navigate(PARAMS).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(isOidcSessionMonitorError(await atOp)).toBe(false);
    expect(await atOp).toEqual(new Error('No prompt=none answer within 10 s.'));
    const blank = (await frames.prepare({})).navigate(PARAMS).catch((error: unknown) => error);
    windows[1]!.location.href = 'about:blank';
    await vi.advanceTimersByTimeAsync(10_000);
    expect(isOidcSessionMonitorError(await blank)).toBe(false);
  });

  it('close() during a request ends it (oidc-client-ts calls it on errors); before the request it does nothing', async () => {
    const { frames, iframes } = setup();
    frames.warm();
    const handle = await frames.prepare({});
    handle.close();
    expect(iframes()).toHaveLength(1);
    const pending = handle.navigate(PARAMS);
    handle.close();
    await expect(pending).rejects.toThrow(/cancelled/);
    expect(iframes()).toHaveLength(0);
  });

  it('dispose() ends every request, removes every iframe, and nothing comes back afterwards', async () => {
    const { frames, iframes } = setup();
    const pending = (await frames.prepare({})).navigate(PARAMS);
    frames.warm();
    expect(iframes()).toHaveLength(2);
    frames.dispose();
    await expect(pending).rejects.toThrow(/cancelled/);
    expect(iframes()).toHaveLength(0);
    frames.warm();
    await expect((await frames.prepare({})).navigate(PARAMS)).rejects.toThrow(/cancelled/);
    expect(iframes()).toHaveLength(0);
  });
  it('without allowInsecureHttp given, refuses plain http: to a public host (the default is off)', async () => {
    const { host: frameHost, windows } = host();
    const frames = silentFrames(10, undefined, frameHost);
    const caught = (await frames.prepare({})).navigate({ ...PARAMS, url: 'http://op.example/authorize?state=S1' }).catch((error: unknown) => error);
    expect(windows).toHaveLength(0);
    frames.dispose();
    expect(isOidcSessionMonitorError(await caught, ErrorCode.InvalidMetadata)).toBe(true);
  });

  it('names only the endpoint, never its query (id_token_hint), when the authorization endpoint is not an absolute URL', async () => {
    const { frames, windows } = setup();
    // ui_locales is space-separated (OIDC Core §3.1.2.1): the query may hold whitespace.
    const url = 'op.example/authorize?prompt=none&id_token_hint=eyJ.secret.sig&ui_locales=de en#state=S1';
    const error = await (await frames.prepare({})).navigate({ ...PARAMS, url }).catch((caught: unknown) => caught);
    expect(isOidcSessionMonitorError(error, ErrorCode.InvalidMetadata)).toBe(true);
    expect((error as Error).message).toBe('prompt=none not sent: authorization_endpoint must be an absolute URL; got "op.example/authorize". (see README.md#invalid_metadata)');
    expect(windows).toHaveLength(0);
  });

  it('leaves no message listener on the window once a request is answered, cancelled or timed out', async () => {
    vi.useFakeTimers();
    const live = trackListeners(window);
    const { frames, windows, answer, callback } = setup(10);
    const answered = (await frames.prepare({})).navigate(PARAMS);
    expect(live('message')).toBe(1);
    answer(windows[0], callback());
    await answered;
    expect(live('message')).toBe(0);
    const abort = new AbortController();
    frames.bind(abort.signal);
    const cancelledOne = (await frames.prepare({})).navigate(PARAMS).catch((error: unknown) => error);
    abort.abort();
    await cancelledOne;
    expect(live('message')).toBe(0);
    frames.bind(new AbortController().signal);
    const timedOut = (await frames.prepare({})).navigate(PARAMS).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(10_000);
    await timedOut;
    expect(live('message')).toBe(0);
  });

  it("keeps an answered request's iframe ready when that re-check is cancelled afterwards (stop())", async () => {
    const { frames, windows, iframes, answer, callback } = setup();
    const abort = new AbortController();
    frames.bind(abort.signal);
    const pending = (await frames.prepare({})).navigate(PARAMS);
    answer(windows[0], callback());
    await pending;
    abort.abort();
    expect(iframes()).toHaveLength(1);
    frames.bind(new AbortController().signal);
    const next = (await frames.prepare({})).navigate({ ...PARAMS, state: 'S2' });
    expect(windows).toHaveLength(1);
    expect(windows[0]!.location.replace).toHaveBeenLastCalledWith(AUTHORIZE);
    answer(windows[0], callback('S2'));
    await expect(next).resolves.toEqual({ url: callback('S2').url });
  });

  it('ignores a message without data from its iframe, with no error, and still takes the answer after it', async () => {
    const { frames, windows, answer, callback } = setup();
    const errors: unknown[] = [];
    const onError = (event: ErrorEvent) => errors.push(event.error ?? event.message);
    window.addEventListener('error', onError);
    try {
      const pending = (await frames.prepare({})).navigate(PARAMS);
      // What postMessage(undefined) delivers; a MessageEvent built here would turn undefined data into null.
      const empty = new MessageEvent('message', { origin: APP, source: windows[0] as unknown as MessageEventSource });
      Object.defineProperty(empty, 'data', { value: undefined });
      expect(empty.data).toBeUndefined();
      window.dispatchEvent(empty);
      answer(windows[0], callback());
      await expect(pending).resolves.toEqual({ url: callback().url });
      expect(errors).toEqual([]);
    } finally {
      window.removeEventListener('error', onError);
    }
  });

  it("ignores a callback message whose url is not a string, even one that reads as the answer's URL (an array)", async () => {
    const { frames, windows, answer, callback } = setup();
    const settled = vi.fn();
    (await frames.prepare({})).navigate(PARAMS).then(settled, settled);
    answer(windows[0], { source: 'oidc-client', url: [callback().url] });
    await Promise.resolve();
    expect(settled).not.toHaveBeenCalled();
    answer(windows[0], callback());
    await vi.waitFor(() => expect(settled).toHaveBeenCalledWith({ url: callback().url }));
  });

  it('reads the state from the fragment also when it comes first (response_mode=fragment)', async () => {
    const { frames, windows, answer } = setup();
    const settled = vi.fn();
    (await frames.prepare({})).navigate({ ...PARAMS, response_mode: 'fragment' }).then(settled, settled);
    const url = `${APP}/silent.html#state=S1&error=login_required`;
    answer(windows[0], { source: 'oidc-client', url });
    await vi.waitFor(() => expect(settled).toHaveBeenCalledWith({ url }));
  });

  it('an iframe without a window (taken out of the page) gets no request, and the re-check fails as unanswered when its time is up', async () => {
    vi.useFakeTimers();
    const frames = silentFrames(10, false, host(true).host);
    const caught = (await frames.prepare({})).navigate(PARAMS).catch((error: unknown) => error);
    const settled = vi.fn();
    void caught.then(settled);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(settled).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(await caught).toEqual(new Error('No prompt=none answer within 10 s.'));
    frames.dispose();
  });

  it('prepare() without arguments uses the configured timeout', async () => {
    vi.useFakeTimers();
    const { frames } = setup(3);
    const caught = (await frames.prepare(undefined as never)).navigate(PARAMS).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(await caught).toEqual(new Error('No prompt=none answer within 3 s.'));
  });
});
