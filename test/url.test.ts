import { describe, expect, it } from 'vitest';
import { isSameSite, urlProblem } from '../src/url.js';

describe('isSameSite', () => {
  describe('hosts that share a public suffix are not one site', () => {
    it('keeps two github.io pages apart', () => {
      expect(isSameSite('https://a.github.io', 'https://b.github.io')).toBe(false);
    });

    it('keeps two co.uk domains apart', () => {
      expect(isSameSite('https://x.foo.co.uk', 'https://y.bar.co.uk')).toBe(false);
    });

    it('keeps two azurewebsites.net apps apart', () => {
      expect(isSameSite('https://my-app.azurewebsites.net', 'https://my-idp.azurewebsites.net')).toBe(false);
    });
  });

  it('does not claim sibling subdomains of one domain as same-site, since that is not provable without the PSL', () => {
    expect(isSameSite('https://app.example.com', 'https://login.example.com')).toBe(false);
    expect(isSameSite('https://example.com', 'https://login.example.com')).toBe(false);
  });

  describe('the same host is the same site', () => {
    it('ignores ports', () => {
      expect(isSameSite('https://example.com', 'https://example.com:8443')).toBe(true);
      expect(isSameSite('https://example.com:443', 'https://example.com:8443')).toBe(true);
    });

    it('ignores ports on localhost', () => {
      expect(isSameSite('http://localhost:3001', 'http://localhost:4000')).toBe(true);
    });

    it('ignores paths, queries and fragments of full URLs', () => {
      expect(isSameSite('https://op.example.com', 'https://op.example.com/check_session?x=1#y')).toBe(true);
    });

    it('ignores the case of the host', () => {
      expect(isSameSite('https://OP.Example.COM', 'https://op.example.com')).toBe(true);
    });

    it('matches an IDN host with its punycode form', () => {
      expect(isSameSite('https://bücher.example', 'https://xn--bcher-kva.example')).toBe(true);
    });
  });

  describe('IP literals', () => {
    it('treats the same IPv4 address as the same site', () => {
      expect(isSameSite('http://192.168.1.10:8080', 'http://192.168.1.10:9090')).toBe(true);
    });

    it('compares IPv4 addresses after the URL parser has normalized them', () => {
      expect(isSameSite('http://127.0.0.1', 'http://0x7f.0.0.1')).toBe(true);
    });

    it('treats different IPv4 addresses as different sites, even in one subnet', () => {
      expect(isSameSite('http://192.168.1.10', 'http://192.168.1.11')).toBe(false);
      expect(isSameSite('http://10.0.0.1', 'http://11.0.0.1')).toBe(false);
    });

    it('treats the same IPv6 address as the same site, whatever its spelling', () => {
      expect(isSameSite('http://[::1]:3000', 'http://[::1]:4000')).toBe(true);
      expect(isSameSite('https://[2001:db8::1]', 'https://[2001:0DB8:0:0:0:0:0:1]:8443')).toBe(true);
    });

    it('treats different IPv6 addresses as different sites', () => {
      expect(isSameSite('https://[2001:db8::1]', 'https://[2001:db8::2]')).toBe(false);
    });
  });

  it('treats localhost and 127.0.0.1 as different sites', () => {
    expect(isSameSite('http://localhost:3000', 'http://127.0.0.1:3000')).toBe(false);
    expect(isSameSite('http://localhost', 'http://[::1]')).toBe(false);
  });

  it('treats a host with a trailing dot as a different site', () => {
    expect(isSameSite('https://example.com.', 'https://example.com')).toBe(false);
  });

  it('treats different schemes on one host as different sites', () => {
    expect(isSameSite('http://example.com', 'https://example.com')).toBe(false);
    expect(isSameSite('http://localhost:3000', 'https://localhost:3000')).toBe(false);
  });

  describe('input without a host', () => {
    it('returns false for unparsable input', () => {
      expect(isSameSite('not a url', 'https://example.com')).toBe(false);
      expect(isSameSite('https://example.com', '')).toBe(false);
      expect(isSameSite('https://exa mple.com', 'https://exa mple.com')).toBe(false);
      expect(isSameSite('//example.com', '//example.com')).toBe(false);
    });

    it('returns false for opaque origins, even two identical ones', () => {
      expect(isSameSite('null', 'null')).toBe(false);
      expect(isSameSite('data:text/html,hi', 'data:text/html,hi')).toBe(false);
      expect(isSameSite('about:blank', 'about:blank')).toBe(false);
      expect(isSameSite('file:///tmp/a.html', 'file:///tmp/b.html')).toBe(false);
    });
  });
});

describe('urlProblem: http: only on loopback hosts (README: "http: URLs are accepted on loopback hosts")', () => {
  it.each(['http://localhost:4000/x', 'http://app.localhost/x', 'http://127.0.0.1/x', 'http://127.8.9.10:8080/x', 'http://[::1]:3000/x', 'https://op.example/x'])(
    'accepts %s',
    (url) => {
      expect(urlProblem('u', url, false)).toBeUndefined();
    },
  );

  it.each([
    'http://localhost.evil.example/x',
    'http://127.0.0.1.evil.example/x',
    'http://evil-localhost/x',
    'http://10.0.0.1/x',
    'http://[::2]/x',
    'http://0.0.0.0/x',
    'http://op.example/x',
  ])('refuses %s: a host name that merely looks like loopback', (url) => {
    expect(urlProblem('u', url, false)).toMatch(/^u uses http: on a non-loopback host/);
    expect(urlProblem('u', url, true)).toBeUndefined();
  });

  it.each(['javascript:alert(1)', 'data:text/html,x', 'file:///etc/passwd', 'ftp://op.example/x'])('refuses %s even with allowInsecureHttp', (url) => {
    expect(urlProblem('u', url, true)).toMatch(/^u must be an https: URL/);
  });
});
