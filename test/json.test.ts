import { describe, expect, it } from 'vitest';
import { storedObject } from '../src/json.js';

describe('storedObject', () => {
  it('returns the object a key holds as JSON', () => {
    expect(storedObject('{"deadline":5,"nested":{"a":[1]}}')).toEqual({ deadline: 5, nested: { a: [1] } });
  });

  it.each([
    ['no value', null],
    ['malformed JSON', '{"deadline":'],
    ['an empty string', ''],
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"x"'],
    ['an array', '[{"deadline":5}]'],
  ])('returns undefined for %s', (_what, text) => {
    expect(storedObject(text)).toBeUndefined();
  });
});
