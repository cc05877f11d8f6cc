import { attach, hiddenFrame } from './hidden-frame.js';
import type { OpFrame, OpFrameCallbacks, OpFrameFactory } from '../monitor/ports.js';

let frameCount = 0;

/** Where the OP iframe lives: the page's window and document by default, injectable for tests. */
export interface FrameHost {
  window: Window;
  document: Document;
}

/**
 * Creates the hidden OP iframe (`check_session_iframe`) and the one `message` listener that reads its replies.
 *
 * A reply is accepted only if `event.origin` is exactly the origin of the iframe URL, `event.source` is that
 * iframe's window, and the data is one of the three status strings; anything else (browser extensions, other
 * frames, malformed data) is ignored without a trace. Messages are posted with the OP origin as
 * `targetOrigin`, never `"*"`.
 *
 * @see https://openid.net/specs/openid-connect-session-1_0.html#RPiframe (SM §3.1: MUST process only messages from the OP frame's origin)
 * @see https://openid.net/specs/openid-connect-session-1_0.html#OPiframe (SM §3.2: the RP iframe needs an `id`)
 */
export function createOpFrameFactory(host: FrameHost = { window, document }): OpFrameFactory {
  return (url: string, callbacks: OpFrameCallbacks): OpFrame => {
    const origin = new URL(url).origin;
    const iframe = hiddenFrame(host.document, 'OpenID Provider session check (hidden)');
    frameCount += 1;
    iframe.id = `oidc-session-monitor-op-frame-${frameCount}`;
    let disposed = false;

    const onMessage = (event: MessageEvent): void => {
      // Each property of the event is read once: they are getters into the browser (this runs on every poll).
      const data: unknown = event.data;
      if (disposed || (data !== 'unchanged' && data !== 'changed' && data !== 'error')) return;
      if (event.origin !== origin) return;
      const source = event.source;
      if (source === null || source !== iframe.contentWindow) return;
      callbacks.onReply(data);
    };
    const onLoad = (): void => {
      if (!disposed) callbacks.onLoad();
    };

    host.window.addEventListener('message', onMessage);
    iframe.addEventListener('load', onLoad);
    iframe.src = url;
    attach(host.document, iframe);

    return {
      post(message) {
        if (disposed) return;
        iframe.contentWindow?.postMessage(message, origin);
      },
      dispose() {
        if (disposed) return;
        disposed = true;
        host.window.removeEventListener('message', onMessage);
        iframe.removeEventListener('load', onLoad);
        iframe.remove();
      },
    };
  };
}
