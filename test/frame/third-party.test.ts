import { describe, expect, it } from 'vitest';
import { isThirdPartyFrame, type PageContext } from '../../src/frame/third-party.js';

const OP = 'https://login.example.com/check_session';

function page(origin: string, ancestors?: string[], topOrigin?: string | 'unreadable'): PageContext {
  const self = {};
  if (ancestors === undefined && topOrigin === undefined) return { location: { origin }, top: self, self };
  const top =
    topOrigin === 'unreadable'
      ? {
          get location(): never {
            throw new DOMException('Blocked a frame from accessing a cross-origin frame.', 'SecurityError');
          },
        }
      : { location: { origin: topOrigin } };
  return { location: { origin, ...(ancestors ? { ancestorOrigins: ancestors } : {}) }, top, self };
}

describe('is the OP iframe a third party?', () => {
  it('top-level app on the OP host: no; on another host: yes, unless sameSite says so', () => {
    expect(isThirdPartyFrame(OP, undefined, page('https://login.example.com'))).toBe(false);
    expect(isThirdPartyFrame(OP, undefined, page('https://app.example.com'))).toBe(true);
    expect(isThirdPartyFrame(OP, true, page('https://app.example.com'))).toBe(false);
    expect(isThirdPartyFrame(OP, false, page('https://login.example.com'))).toBe(true);
  });

  it('an app embedded in another site\'s page is cross-site even on the OP host, and sameSite cannot change that', () => {
    expect(isThirdPartyFrame(OP, undefined, page('https://login.example.com', ['https://portal.other.com']))).toBe(true);
    expect(isThirdPartyFrame(OP, true, page('https://app.example.com', ['https://portal.other.com']))).toBe(true);
  });

  it('nested embedding: any page of another site anywhere above the app makes it cross-site, not only the nearest one', () => {
    // The app on the OP host, in a portal on the OP host, in a page of another site (ancestorOrigins lists the
    // nearest page first): the browser decides from that top page, which is foreign.
    const nested = page('https://login.example.com', ['https://login.example.com', 'https://teams.example']);
    expect(isThirdPartyFrame(OP, undefined, nested)).toBe(true);
    expect(isThirdPartyFrame(OP, true, nested)).toBe(true);
    expect(isThirdPartyFrame(OP, true, page('https://login.example.com', ['https://teams.example', 'https://login.example.com']))).toBe(true);
    // Every page above on the OP's host (any port): same-site.
    expect(isThirdPartyFrame(OP, undefined, page('https://login.example.com', ['https://login.example.com', 'https://login.example.com:8443']))).toBe(false);
  });

  it('an app embedded in a page of the OP host stays same-site', () => {
    expect(isThirdPartyFrame(OP, undefined, page('https://login.example.com', ['https://login.example.com:8443']))).toBe(false);
  });

  it('without ancestorOrigins (Firefox), reads the top page\'s origin, and counts an unreadable one as another site', () => {
    expect(isThirdPartyFrame(OP, undefined, page('https://login.example.com', undefined, 'https://login.example.com'))).toBe(false);
    expect(isThirdPartyFrame(OP, undefined, page('https://login.example.com', undefined, 'unreadable'))).toBe(true);
  });
});
