import type { INavigator, IWindow, NavigateParams, NavigateResponse } from 'oidc-client-ts';
import { ErrorCode, OidcSessionMonitorError } from '../errors.js';
import { attach, hiddenFrame } from '../frame/hidden-frame.js';
import type { FrameHost } from '../frame/op-frame.js';
import { urlProblem } from '../url.js';

/** The `iframeNavigator` of the re-check's own `UserManager`, and its controls. */
export interface SilentFrames extends INavigator {
  /** Adds a blank iframe for the next request now, unless one is ready. */
  warm(): void;
  /** Requests prepared from now on end, with their iframe, when `signal` aborts. */
  bind(signal: AbortSignal): void;
  /** Ends every request in flight and removes every iframe; nothing is added afterwards. */
  dispose(): void;
}

/**
 * The hidden iframes in which oidc-client-ts's `signinSilent` sends the re-check's `prompt=none` request
 * (SM §3.1), in place of oidc-client-ts's own, which adds a new iframe for each request and keeps it until its own
 * timeout. Here:
 *
 * - one blank iframe waits, added ahead of time ({@link SilentFrames.warm}): adding an iframe to a page takes
 *   several milliseconds of the main thread (5–9 ms in Chromium), which a `changed` answer then does not wait for;
 *   an iframe whose request was answered becomes the next waiting one, and one that the app took out of the page
 *   is replaced;
 * - a request ends, and its iframe goes, as soon as the re-check is cancelled (timeout, `stop()`, a logout);
 * - the answer is taken only from that iframe's window, from the callback page's origin, in oidc-client-ts's callback
 *   message (`{ source: 'oidc-client', url }`, posted by `signinSilentCallback`), with the request's `state`;
 *   anything else is ignored;
 * - the request, which carries the ID token as `id_token_hint`, goes only to an authorization endpoint that passes
 *   the rule of every URL this SDK sends tokens to ({@link urlProblem}: https, or http on loopback, or
 *   `allowInsecureHttp`); otherwise nothing is sent and the re-check fails as unknown (`invalid_metadata`);
 * - a request that times out while its iframe shows a page of the app's own origin was answered by the OP, but that
 *   page did not pass the answer back: it fails with `silent_callback_missing`, whose message says how to fix it.
 *   oidc-client-ts fills a missing `silent_redirect_uri` with `redirect_uri` and keeps no trace of having done so,
 *   and an app may rightly point both at one page: only this outcome tells the mistake apart.
 *
 * @param timeoutSeconds - oidc-client-ts's `silentRequestTimeoutInSeconds`, for a request nobody cancels (10 s without
 *   one, as in oidc-client-ts).
 */
export function silentFrames(timeoutSeconds: number | undefined, allowInsecureHttp = false, host: FrameHost = { window, document }): SilentFrames {
  let spare: HTMLIFrameElement | undefined;
  let signal: AbortSignal | undefined;
  let disposed = false;
  const inFlight = new Set<() => void>();

  const create = (): HTMLIFrameElement => {
    const iframe = hiddenFrame(host.document, 'OpenID Provider sign-in check (hidden)');
    attach(host.document, iframe);
    return iframe;
  };

  /** An answered request's iframe waits for the next one, blank; any other goes (a late answer could still come). */
  const release = (iframe: HTMLIFrameElement, answered: boolean): void => {
    if (!answered || disposed || spare) {
      iframe.remove();
      return;
    }
    iframe.contentWindow?.location.replace('about:blank');
    spare = iframe;
  };

  function open(bound: AbortSignal | undefined, seconds: number): IWindow {
    // What close() does: nothing before navigate, ending the request during it (oidc-client-ts calls it on errors).
    let end = (): void => {};
    return {
      navigate(params: NavigateParams): Promise<NavigateResponse> {
        return new Promise((resolve, reject) => {
          if (disposed || bound?.aborted) {
            reject(cancelled());
            return;
          }
          // The authorization endpoint comes from discovery: a `javascript:` or `data:` URL would run in this
          // same-origin iframe, and plain http: would send the ID token in the clear. Only the endpoint (never the
          // query, with its id_token_hint) may appear in the message.
          const problem = urlProblem('authorization_endpoint', params.url.replace(/[?#][\s\S]*$/, ''), allowInsecureHttp);
          if (problem) {
            reject(new OidcSessionMonitorError(ErrorCode.InvalidMetadata, `prompt=none not sent: ${problem}`));
            return;
          }
          // A waiting iframe that the app took out of the page (a framework re-rendering the body) would never load.
          const frame = spare?.isConnected ? spare : create();
          spare = undefined;
          const origin = params.scriptOrigin ?? host.window.location.origin;
          const finish = (url: string | undefined, error?: Error): void => {
            end = () => {};
            host.window.removeEventListener('message', onMessage);
            clearTimeout(timer);
            bound?.removeEventListener('abort', cancel);
            inFlight.delete(cancel);
            release(frame, url !== undefined);
            if (url !== undefined) resolve({ url });
            else reject(error);
          };
          const onMessage = (event: MessageEvent): void => {
            if (event.source !== frame.contentWindow || event.origin !== origin) return;
            const data: unknown = event.data;
            if (typeof data !== 'object' || data === null) return;
            const { source, url } = data as { source?: unknown; url?: unknown };
            if (source !== 'oidc-client' || typeof url !== 'string' || stateOf(url, params.response_mode) !== params.state) return;
            finish(url);
          };
          const cancel = (): void => finish(undefined, cancelled());
          const timer = setTimeout(() => finish(undefined, unanswered(frame, host.window.location.origin, seconds)), seconds * 1000);
          end = cancel;
          host.window.addEventListener('message', onMessage);
          // Stryker disable next-line ObjectLiteral,BooleanLiteral: a signal fires 'abort' once, and finish() removes the listener anyway
          bound?.addEventListener('abort', cancel, { once: true });
          inFlight.add(cancel);
          frame.contentWindow?.location.replace(params.url);
        });
      },
      close: () => end(),
    };
  }

  return {
    async prepare(params) {
      const seconds = (params as { silentRequestTimeoutInSeconds?: number } | undefined)?.silentRequestTimeoutInSeconds;
      return open(signal, seconds || timeoutSeconds || 10);
    },
    async callback() {
      // The callback page runs the app's own manager (signinSilentCallback); this one only sends requests.
    },
    warm() {
      if (!disposed && !spare) spare = create();
    },
    bind(next) {
      signal = next;
    },
    dispose() {
      disposed = true;
      for (const cancel of [...inFlight]) cancel();
      spare?.remove();
      spare = undefined;
    },
  };
}

/** The error of a re-check that was cancelled (its result would come too late to count). */
export const cancelled = (): Error => new Error('The re-check was cancelled.');

/**
 * Why a request got no answer in time. An iframe that shows a page of the app's own origin (readable, unlike the OP's
 * pages or a browser error page; `about:blank` has an opaque origin) was sent there by the OP: the answer came, and
 * that page did not pass it back. Only its origin and path are named: its query holds the answer's code.
 */
function unanswered(frame: HTMLIFrameElement, appOrigin: string, seconds: number): Error {
  let page: URL | undefined;
  try {
    page = new URL(frame.contentWindow!.location.href);
  } catch {
    // Cross-origin (still at the OP, or its error page) or gone: nothing came back.
  }
  if (page?.origin !== appOrigin) return new Error(`No prompt=none answer within ${seconds} s.`);
  return new OidcSessionMonitorError(
    ErrorCode.SilentCallbackMissing,
    `prompt=none answered at ${page.origin}${page.pathname}, which never passed it back: silent_redirect_uri must be a page that calls signinSilentCallback() (without it, redirect_uri is used)`,
  );
}

/** The `state` of a callback URL (query, or fragment with `response_mode=fragment`); `undefined` if unreadable. */
function stateOf(url: string, mode: NavigateParams['response_mode']): string | undefined {
  try {
    const parsed = new URL(url);
    return new URLSearchParams(mode === 'fragment' ? parsed.hash.slice(1) : parsed.search).get('state') ?? undefined;
  }
  // Stryker disable next-line BlockStatement: an empty catch falls through to the function's end, which returns undefined too
  catch {
    return undefined;
  }
}
