import { describe, expect, it } from 'vitest';
import { MAX_GET_URL_LENGTH, chooseLogoutMethod, validateLogoutMethod } from '../../src/logout/choose-logout-method.js';

const at = (length: number) => 'https://op.example.com/end?x='.padEnd(length, 'a');

describe('chooseLogoutMethod', () => {
  it('uses GET under auto up to the safe length, POST beyond it', () => {
    expect(chooseLogoutMethod(at(MAX_GET_URL_LENGTH), 'auto')).toBe('GET');
    expect(chooseLogoutMethod(at(MAX_GET_URL_LENGTH + 1), 'auto')).toBe('POST');
  });

  it('defaults to auto', () => {
    expect(chooseLogoutMethod(at(100))).toBe('GET');
    expect(chooseLogoutMethod(at(5000))).toBe('POST');
  });

  it('keeps a forced GET even for a very long URL', () => {
    expect(chooseLogoutMethod(at(10_000), 'GET')).toBe('GET');
  });

  it('keeps a forced POST for a short URL', () => {
    expect(chooseLogoutMethod(at(50), 'POST')).toBe('POST');
  });

  it('stays below the 2,048-byte default query limit of IIS: a POST form once the URL would pass 2,000 characters (README)', () => {
    expect(MAX_GET_URL_LENGTH).toBeLessThanOrEqual(2048);
    expect(chooseLogoutMethod(at(2000))).toBe('GET');
    expect(chooseLogoutMethod(at(2001))).toBe('POST');
  });

  it('refuses an unknown method with a TypeError naming the option', () => {
    expect(() => validateLogoutMethod('get')).toThrow(/method/);
    expect(validateLogoutMethod(undefined)).toBe('auto');
  });
});
