// @vitest-environment node
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readConfig, readSiteOptions } from '../src/monitor/options.js';

// The README's "Timing and policy" table is what users configure from: every default and every range in it is
// checked against the code here, so that the table and the validation cannot drift apart.

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('Timing and policy (milliseconds):'));
const rows = new Map<string, { default: string; range: string }>();
for (const line of section.split('\n').slice(4)) {
  if (!line.startsWith('| `')) break;
  const [name, fallback, range] = line.split('|').slice(1).map((cell) => cell.trim());
  for (const [i, option] of name!.split(' / ').entries()) {
    const part = (cell: string) => cell.split(' / ')[i] ?? cell;
    rows.set(option.replaceAll('`', ''), { default: part(fallback!), range: part(range!) });
  }
}
const num = (text: string) => Number(text.replaceAll(',', ''));
/** `a – b`, or `0, or a – b` (keepAlive), or `` `interval` – b `` (maxRetryDelay, with the default interval). */
function range(option: string): { min: number; max: number; zero: boolean } {
  const text = rows.get(option)!.range;
  const match = /^(0, or )?(`interval`|[\d,]+) – ([\d,]+)$/.exec(text);
  if (!match) throw new Error(`README: unreadable range for ${option}: ${text}`);
  return { zero: match[1] !== undefined, min: match[2] === '`interval`' ? 3000 : num(match[2]!), max: num(match[3]!) };
}
const NUMERIC = ['interval', 'replyTimeout', 'frameTimeout', 'recheckTimeout', 'maxRetryDelay', 'maxRechecks', 'recheckWindow', 'keepAlive', 'recheckInterval', 'minRecheckInterval'] as const;

describe('README options table', () => {
  it('lists every option the code reads', () => {
    expect([...rows.keys()].sort()).toEqual([...NUMERIC, 'onErrorStatus', 'anonymous', 'allowInsecureHttp', 'sameSite', 'frameUrl', 'mode'].sort());
  });

  it('gives the defaults the code uses', () => {
    const config = readConfig({});
    for (const option of NUMERIC) expect({ option, value: config[option] }).toEqual({ option, value: num(rows.get(option)!.default.replace(' (off)', '')) });
    expect(`'${config.onErrorStatus}'`).toBe(rows.get('onErrorStatus')!.default.replaceAll('`', ''));
    expect(`'${config.mode}'`).toBe(rows.get('mode')!.default.replaceAll('`', ''));
    expect(`${config.anonymous}`).toBe(rows.get('anonymous')!.default.replaceAll('`', ''));
    expect(`${readSiteOptions({}).allowInsecureHttp}`).toBe(rows.get('allowInsecureHttp')!.default.replaceAll('`', ''));
    expect(readSiteOptions({}).sameSite).toBeUndefined();
  });

  it.each(NUMERIC)('accepts %s at both ends of its range and rejects just outside, naming it', (option) => {
    const { min, max, zero } = range(option);
    expect(() => readConfig({ [option]: min })).not.toThrow();
    expect(() => readConfig({ [option]: max })).not.toThrow();
    expect(() => readConfig({ [option]: min - 1 })).toThrow(new RegExp(`^${option} must be`));
    expect(() => readConfig({ [option]: max + 1 })).toThrow(new RegExp(`^${option} must be`));
    expect(() => readConfig({ [option]: String(min) })).toThrow(new RegExp(`^${option} must be`));
    if (zero) expect(readConfig({ [option]: 0 })[option]).toBe(0);
  });

  it('accepts only the modes the table lists', () => {
    for (const mode of rows.get('mode')!.range.split(', ').map((m) => m.replaceAll(/[`']/g, ''))) expect(readConfig({ mode }).mode).toBe(mode);
    expect(() => readConfig({ mode: 'poll' })).toThrow(/^mode must be one of/);
  });

  it('keeps recheckInterval at least minRecheckInterval: each default gives way to the other option, two that clash throw', () => {
    expect(readConfig({ recheckInterval: 5000 }).minRecheckInterval).toBe(5000);
    expect(readConfig({ minRecheckInterval: 600_000 }).recheckInterval).toBe(600_000);
    expect(() => readConfig({ recheckInterval: 10_000, minRecheckInterval: 20_000 })).toThrow(/^recheckInterval must not be shorter than minRecheckInterval/);
  });

  it('maxRetryDelay starts at the interval in use', () => {
    expect(() => readConfig({ interval: 10_000, maxRetryDelay: 9_999 })).toThrow(/^maxRetryDelay must be/);
    expect(readConfig({ interval: 120_000 }).maxRetryDelay).toBe(120_000);
  });

  it.each(['anonymous', 'allowInsecureHttp', 'sameSite'])('rejects a %s that is not a boolean, naming it', (option) => {
    const read = (value: unknown) => (option === 'anonymous' ? readConfig({ [option]: value }) : readSiteOptions({ [option]: value }));
    expect(() => read('yes')).toThrow(new RegExp(`^${option} must be a boolean`));
    expect(() => read(1)).toThrow(new RegExp(`^${option} must be a boolean`));
    expect(() => read(true)).not.toThrow();
  });

  it('accepts only the onErrorStatus policies the table lists', () => {
    for (const policy of rows.get('onErrorStatus')!.range.split(', ').map((p) => p.replaceAll(/[`']/g, ''))) {
      expect(readConfig({ onErrorStatus: policy }).onErrorStatus).toBe(policy);
    }
    expect(() => readConfig({ onErrorStatus: 'logout' })).toThrow(/^onErrorStatus must be one of/);
  });
});
