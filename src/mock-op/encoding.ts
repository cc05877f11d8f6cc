import { createHash, randomBytes } from 'node:crypto';

/** A random base64url string (no "." and no " ", so it can serve as a `session_state` salt). */
export function randomToken(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}

/** base64url(SHA-256(input)) of a UTF-8 string. */
export function sha256Base64url(input: string): string {
  return createHash('sha256').update(input, 'utf8').digest('base64url');
}

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
