/**
 * Encodes bytes as base64url without padding (RFC 4648 §5), the alphabet that survives URLs and forms
 * without escaping.
 *
 * @see https://www.rfc-editor.org/rfc/rfc4648#section-5
 */
export function base64urlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Decodes base64url (padding optional) to UTF-8 text. Returns `undefined` for anything that is not
 * valid base64url or not valid UTF-8, so callers can treat garbage as absent instead of crashing.
 *
 * @see https://www.rfc-editor.org/rfc/rfc4648#section-5
 */
export function base64urlDecodeText(input: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(input)) return undefined;
  const base64 = input.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  // A length of 1 mod 4 cannot come from any byte sequence; atob would reject it too, but say so plainly.
  if (base64.length % 4 === 1) return undefined;
  try {
    const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='));
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
