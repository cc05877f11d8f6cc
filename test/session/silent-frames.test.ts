import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NavigateParams } from 'oidc-client-ts';
import { silentFrames } from '../../src/session/silent-frames.js';

const APP = window.location.origin;
const AUTHORIZE = 'https://op.example/authorize?prompt=none&state=S1';
const PARAMS: NavigateParams = { url: AUTHORIZE, state: 'S1', response_mode: 'query' };

interface StandIn {
  location: { replace: ReturnType<typeof vi.fn> };
}

/** happy-dom loads no iframe page, so each iframe gets a stand-in window: the `event.source`, and where it was sent. */
function host() {
  const windows: StandIn[] = [];
  const doc = new Proxy(document, {
    get(target, key) {
      if (key === 'createElement') {
        return (tag: string) => {
          const element = target.createElement(tag);
          const standIn: StandIn = { location: { replace: vi.fn() } };
          windows.push(standIn);
          Object.defineProperty(element, 'contentWindow', { value: standIn });
          return element;
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { host: { window, document: doc }, windows };
}

function setup(timeoutSeconds = 10) {
  const { host: frameHost, windows } = host();
  const frames = silentFrames(timeoutSeconds, frameHost);
  const iframes = () => [...document.querySelectorAll('iframe')];
  const answer = (from: unknown, data: unknown, origin = APP) => window.dispatchEvent(new MessageEvent('message', { origin, source: from as MessageEventSource, data }));
  const callback = (state = 'S1') => ({ source: 'oidc-client', url: `${APP}/silent.html?error=login_required&state=${state}` });
  return { frames, windows, iframes, answer, callback };
}

afterEach(() => {
  vi.useRealTimers();
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
      await expect((await frames.prepare({})).navigate({ ...PARAMS, url })).rejects.toThrow(/not an http\(s\) URL/);
      expect(windows[0]!.location.replace).not.toHaveBeenCalled();
    },
  );

  it('adds an iframe when none is ready', async () => {
    const { frames, windows, iframes, answer, callback } = setup();
    const pending = (await frames.prepare({})).navigate(PARAMS);
    expect(iframes()).toHaveLength(1);
    answer(windows[0], callback());
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
});
