import { isSameSite } from '../url.js';

/** The parts of `window` that decide whether a frame of this page is a third party. */
export interface PageContext {
  location: { origin: string; ancestorOrigins?: ArrayLike<string> };
  top: unknown;
  self: unknown;
}

/**
 * Whether the OP iframe at `iframeUrl` is a third party for the browser's cookie rules (SM §5.1): browsers decide
 * from the *top-level* site, so the app must be the same site as the OP and — when it is itself embedded (a portal,
 * a Teams tab, an LMS) — so must every page above it. `sameSite` states the app–OP relation where the URLs cannot
 * prove it; it does not cover an embedding page of another site. An embedding page whose origin cannot be read
 * counts as another site.
 *
 * @see https://openid.net/specs/openid-connect-session-1_0.html#ThirdPartyCookies
 */
export function isThirdPartyFrame(iframeUrl: string, sameSite: boolean | undefined, page: PageContext): boolean {
  if (page.top !== page.self) {
    const ancestors = page.location.ancestorOrigins;
    if (ancestors && ancestors.length > 0) {
      if (Array.from(ancestors).some((origin) => !isSameSite(origin, iframeUrl))) return true;
    } else {
      try {
        if (!isSameSite((page.top as { location: { origin: string } }).location.origin, iframeUrl)) return true;
      } catch {
        return true;
      }
    }
  }
  return sameSite === undefined ? !isSameSite(page.location.origin, iframeUrl) : !sameSite;
}
