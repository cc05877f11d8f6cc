/**
 * The object stored as JSON text under one of our keys, or `undefined` for anything else (no value, malformed JSON,
 * a primitive, an array): another script may write any garbage under a storage key, and it never holds our state.
 */
export function storedObject(text: string | null): Record<string, unknown> | undefined {
  if (text === null) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
