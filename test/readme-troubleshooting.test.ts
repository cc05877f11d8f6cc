// @vitest-environment node
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode, OidcSessionMonitorError } from '../src/errors.js';
import { UNAVAILABLE_REASONS } from './support/reasons.js';

// Every error code and every `unavailable` reason is explained once, in the README's troubleshooting section, under
// the anchor that error messages point to: a code or reason added without its row fails here.

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const troubleshooting = readme.slice(readme.indexOf('## Troubleshooting'));

describe('README troubleshooting', () => {
  it('lists every error code in the Errors section', () => {
    const errors = readme.slice(readme.indexOf('### Errors'), readme.indexOf('\n#', readme.indexOf('### Errors') + 1));
    for (const code of Object.values(ErrorCode)) expect(errors).toContain(`\`${code}\``);
  });

  it.each(Object.values(ErrorCode))('explains the error code %s under its anchor, once', (code) => {
    expect(troubleshooting.split(`<a id="${code}"></a>\`${code}\``)).toHaveLength(2);
  });

  it.each(UNAVAILABLE_REASONS)('explains the unavailable reason %s under its anchor, once', (reason) => {
    expect(troubleshooting.split(`<a id="unavailable-${reason}"></a>\`${reason}\``)).toHaveLength(2);
  });

  it("an error's message ends with the anchor of its row", () => {
    const error = new OidcSessionMonitorError(ErrorCode.RecheckTimeout, 'prompt=none took over 15000 ms (session unknown)');
    expect(error.message).toBe('prompt=none took over 15000 ms (session unknown) (see README.md#recheck_timeout)');
    expect(error.code).toBe('recheck_timeout');
  });
});
