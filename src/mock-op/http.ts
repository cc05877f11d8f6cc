import type { IncomingMessage, ServerResponse } from 'node:http';

/** Form bodies larger than this are refused: nothing the mock OP expects comes close. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * A refused body is still read (and thrown away) up to this size before the answer goes out. Closing a
 * connection with unread data in it makes the kernel send a reset, which can destroy the answer before
 * the client reads it; past this size the OP answers at once and accepts that risk.
 */
const MAX_DRAIN_BYTES = 8 * 1024 * 1024;

/**
 * A request body that could not be read as a form. The answer to it closes the connection
 * (`Connection: close`): the server does not try to find the next request after input it refused.
 */
export class BadBodyError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * The request body of a POST, as form parameters. Other content types and bodies over 64 KiB are a
 * {@link BadBodyError}. An oversized body is read to its end (up to 8 MiB) before this rejects, so the
 * answer reaches the client intact.
 */
export function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error: BadBodyError | undefined): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onAbort);
      if (error !== undefined) reject(error);
      else if (type !== 'application/x-www-form-urlencoded') {
        reject(new BadBodyError(400, 'The request body must be application/x-www-form-urlencoded.'));
      } else resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    };
    const tooLarge = (): BadBodyError => new BadBodyError(413, `The request body is too large: at most ${MAX_BODY_BYTES} bytes.`);
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else if (size > MAX_DRAIN_BYTES) settle(tooLarge());
      else chunks.length = 0;
    };
    const onEnd = (): void => settle(size > MAX_BODY_BYTES ? tooLarge() : undefined);
    // The client went away mid-body: nothing to answer, but not a server fault either.
    const onAbort = (): void => settle(new BadBodyError(400, 'The request body could not be read.'));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onAbort);
    req.once('close', onAbort);
  });
}

/** The first value of each name, as a plain object (for the request log and simple lookups). */
export function firstValues(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of params) if (!(k in out)) out[k] = v;
  return out;
}

/** Names that occur more than once; OAuth parameters must not repeat (RFC 6749 §3.1). */
export function repeatedNames(params: URLSearchParams): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const k of params.keys()) (seen.has(k) ? repeated : seen).add(k);
  return [...repeated];
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Headers for OAuth responses carrying tokens or errors (RFC 6749 §5.1). */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/** Headers of pages that must not be framed (RFC 9700 §4.16). */
export const NO_FRAMING = {
  'X-Frame-Options': 'DENY',
} as const;

/**
 * Content-Security-Policy of an OP page: no inline script (or only the script elements carrying `scriptNonce`), never
 * framed unless `frameAncestors` says so.
 */
export function pageCsp(options: { scripts?: boolean; scriptNonce?: string; frameSrc?: string[]; frameAncestors?: string[] } = {}): string {
  const parts = ["default-src 'none'", "base-uri 'none'", "style-src 'unsafe-inline'", "img-src 'self'"];
  if (options.scriptNonce !== undefined) parts.push(`script-src 'nonce-${options.scriptNonce}'`, "connect-src 'self'");
  else if (options.scripts) parts.push("script-src 'self'", "connect-src 'self'", "worker-src 'self'");
  if (options.frameSrc && options.frameSrc.length > 0) parts.push(`frame-src ${options.frameSrc.join(' ')}`);
  const ancestors = options.frameAncestors && options.frameAncestors.length > 0 ? options.frameAncestors.join(' ') : "'none'";
  parts.push(`frame-ancestors ${ancestors}`);
  return parts.join('; ');
}

export function sendHtml(
  res: ServerResponse,
  status: number,
  html: string,
  options: { csp?: string; framable?: boolean; headers?: Record<string, string | string[]> } = {},
): void {
  const headers: Record<string, string | string[]> = {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(html)),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': options.csp ?? pageCsp(),
    ...(options.framable ? {} : NO_FRAMING),
    ...options.headers,
  };
  res.writeHead(status, headers);
  res.end(html);
}

export function sendScript(res: ServerResponse, source: string): void {
  res.writeHead(200, {
    'Content-Type': 'text/javascript; charset=utf-8',
    'Content-Length': Buffer.byteLength(source),
    // Short caching keeps later iframe loads free of requests without pinning a stale script for long.
    'Cache-Control': 'public, max-age=300',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(source);
}

/** A 302/303 redirect. Only ever called with URLs built from registered values. */
export function redirect(res: ServerResponse, location: string, status: 302 | 303 = 302, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { Location: location, 'Cache-Control': 'no-store', 'Content-Length': '0', ...headers });
  res.end();
}

/** Appends `params` to `base`, keeping the query `base` already has (FCL §2, RFC 6749 §3.1.2). */
export function withParams(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.append(k, v);
  return url.href;
}

/**
 * The redirect URI with the authorization response's parameters in its fragment (`response_mode=fragment`); the URI's
 * own query stays.
 *
 * @see https://openid.net/specs/oauth-v2-multiple-response-types-1_0.html#ResponseModes
 */
export function withFragment(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(base);
  const fragment = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) fragment.append(k, v);
  url.hash = fragment.toString();
  return url.href;
}
