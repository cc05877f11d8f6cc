import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';
import { expect, type Page } from './engine.js';

// The README's example apps, for the specs that run them exactly as written there.

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The files the README marks with `<!-- file: path -->` followed by a fenced code block, under `prefix`. */
export function readmeFiles(prefix = ''): Map<string, string> {
  const files = new Map<string, string>();
  for (const match of README.matchAll(/<!-- file: ([\w./-]+) -->\n```\w*\n([\s\S]*?)\n```/g)) {
    const path = match[1]!;
    if (prefix ? path.startsWith(prefix) : !path.includes('/') || path.startsWith('src/') || path === 'vite.config.js') {
      files.set(path.slice(prefix.length), `${match[2]!}\n`);
    }
  }
  return files;
}

/** Serves `dir` with the script-tag app's strict Content-Security-Policy (no inline script). */
export async function serveStrict(dir: string, csp: () => string): Promise<{ origin: string; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://x');
    const file = normalize(join(dir, pathname === '/' ? 'index.html' : pathname));
    if (!file.startsWith(dir + sep)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': file.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8', 'content-security-policy': csp() });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://localhost:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The README apps' own UI: signed out, the sign-in button, the mock OP's form, then monitoring. */
export async function signInAsAlice(page: Page): Promise<void> {
  await expect(page.locator('#user')).toHaveText('Signed out');
  await page.click('#sign-in');
  await page.fill('input[name="username"]', 'alice');
  await page.fill('input[name="password"]', 'alice');
  await page.click('button[type="submit"]');
  await expect(page.locator('#user')).toHaveText('Signed in as alice');
  await expect(page.locator('#session')).toHaveText('Session: monitoring', { timeout: 15_000 });
}
