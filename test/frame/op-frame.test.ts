import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOpFrameFactory } from '../../src/frame/op-frame.js';
import { trackListeners } from '../support/listeners.js';

const URL_ = 'https://op.example:8443/check_session?x=1';
const ORIGIN = 'https://op.example:8443';

/** happy-dom loads no iframe page, so each iframe gets a stand-in window to be the `event.source`. */
function hostWithFrameWindows(): Document {
  return new Proxy(document, {
    get(target, key) {
      if (key === 'createElement') {
        return (tag: string) => {
          const element = target.createElement(tag);
          Object.defineProperty(element, 'contentWindow', { value: { postMessage: vi.fn() } });
          return element;
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function open() {
  const onLoad = vi.fn();
  const onReply = vi.fn();
  const frame = createOpFrameFactory({ window, document: hostWithFrameWindows() })(URL_, { onLoad, onReply });
  const iframe = document.querySelector('iframe')!;
  const send = (init: MessageEventInit) => window.dispatchEvent(new MessageEvent('message', init));
  return { frame, iframe, onLoad, onReply, send };
}

afterEach(() => {
  vi.restoreAllMocks();
  document.body.innerHTML = '';
});

describe('OP iframe', () => {
  it('is hidden, has an id and a title, and points at check_session_iframe', () => {
    const { iframe } = open();
    expect(iframe.id).toMatch(/^oidc-session-monitor-op-frame-\d+$/);
    expect(iframe.title).not.toBe('');
    expect(iframe.getAttribute('aria-hidden')).toBe('true');
    expect(iframe.style.visibility).toBe('hidden');
    expect(iframe.getAttribute('src')).toBe(URL_);
  });

  it('accepts the three statuses from the OP origin and the OP window', () => {
    const { iframe, onReply, send } = open();
    for (const data of ['unchanged', 'changed', 'error']) send({ origin: ORIGIN, source: iframe.contentWindow, data });
    expect(onReply.mock.calls).toEqual([['unchanged'], ['changed'], ['error']]);
  });

  it('ignores replies from a foreign origin', () => {
    const { iframe, onReply, send } = open();
    send({ origin: 'https://evil.example', source: iframe.contentWindow, data: 'changed' });
    send({ origin: 'https://op.example', source: iframe.contentWindow, data: 'changed' }); // default port is not 8443
    send({ origin: 'http://op.example:8443', source: iframe.contentWindow, data: 'changed' });
    expect(onReply).not.toHaveBeenCalled();
  });

  it('ignores replies from the right origin but another window', () => {
    const { onReply, send } = open();
    const other = { postMessage: vi.fn() } as unknown as Window;
    send({ origin: ORIGIN, source: other, data: 'changed' });
    send({ origin: ORIGIN, source: null, data: 'changed' });
    send({ origin: ORIGIN, source: window, data: 'changed' });
    expect(onReply).not.toHaveBeenCalled();
  });

  it('ignores non-string data and unknown strings', () => {
    const { iframe, onReply, send } = open();
    for (const data of [{ status: 'changed' }, ['changed'], 1, null, 'Changed', ' changed', 'changed\n', 'logout', '']) {
      send({ origin: ORIGIN, source: iframe.contentWindow, data });
    }
    expect(onReply).not.toHaveBeenCalled();
  });

  it('posts with the OP origin as targetOrigin, never "*"', () => {
    const { frame, iframe } = open();
    const post = iframe.contentWindow!.postMessage as unknown as ReturnType<typeof vi.fn>;
    frame.post('client-a state');
    expect(post).toHaveBeenCalledWith('client-a state', ORIGIN);
  });

  it('dispose removes the iframe and the message listener', () => {
    const { frame, iframe, onReply, send } = open();
    const source = iframe.contentWindow;
    frame.dispose();
    frame.dispose();
    expect(document.querySelector('iframe')).toBeNull();
    send({ origin: ORIGIN, source, data: 'changed' });
    expect(onReply).not.toHaveBeenCalled();
  });

  it('dispose takes its message listener off the window, not just silences it', () => {
    const listeners = trackListeners(window);
    const { frame } = open();
    expect(listeners('message')).toBe(1);
    frame.dispose();
    expect(listeners('message')).toBe(0);
  });

  it('reports load', () => {
    const { iframe, onLoad } = open();
    iframe.dispatchEvent(new Event('load'));
    expect(onLoad).toHaveBeenCalledTimes(1);
  });
});
