import { describe, expect, it } from 'vitest';
import { startMockOp } from '../../src/mock-op/index.js';
import { TestBrowser, authorizeUrl, pkce, redirectParams, signIn } from './helpers.js';

// The mock OP's test controls are part of its API: a mistake in a test must fail loudly, not quietly do something
// else, and overlapping calls must not wedge the OP.

const RP = 'http://localhost:3000';
const A = { client_id: 'app', redirect_uri: `${RP}/cb` };
const clients = [{ client_id: A.client_id, redirect_uris: [A.redirect_uri] }];

async function signedIn(op: Awaited<ReturnType<typeof startMockOp>>, browser: TestBrowser): Promise<boolean> {
  const res = await browser.get(authorizeUrl(op, { ...A, prompt: 'none', code_challenge: pkce().challenge, code_challenge_method: 'S256' }));
  return redirectParams(res).get('code') !== null;
}

describe('endSession', () => {
  it('rejects a selector it cannot read instead of ending every session', async () => {
    const op = await startMockOp({ clients });
    try {
      const browser = new TestBrowser();
      await signIn(browser, op, A);
      for (const selector of ['alice', { user: 'alice' }, {}, { sub: 1 }, null, { sub: 'alice', extra: 'x' }]) {
        expect(() => op.endSession(selector as never), JSON.stringify(selector)).toThrow(/^endSession\(selector\)/);
      }
      expect(await signedIn(op, browser)).toBe(true);
      op.endSession({ sub: 'nobody' });
      expect(await signedIn(op, browser)).toBe(true);
      op.endSession({ sub: 'alice' });
      expect(await signedIn(op, browser)).toBe(false);
    } finally {
      await op.close();
    }
  });
});

describe('outage', () => {
  it('applies overlapping calls in order, and each of them settles', async () => {
    const op = await startMockOp({ clients });
    try {
      await op.outage('down');
      const settled: string[] = [];
      const up = op.outage(null).then(() => settled.push('up'));
      const down = op.outage('down').then(() => settled.push('down'));
      await Promise.race([Promise.all([up, down]), new Promise((_, reject) => setTimeout(() => reject(new Error('an outage call never settled')), 5000))]);
      expect(settled).toEqual(['up', 'down']);
      // The last call wins: the OP is down.
      await expect(fetch(`${op.issuer}/jwks`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
      await op.outage(null);
      expect((await fetch(`${op.issuer}/jwks`)).status).toBe(200);
    } finally {
      await op.close();
    }
  });
});
