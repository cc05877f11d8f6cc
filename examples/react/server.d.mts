// Types for e2e/react.spec.ts (the server itself is plain JavaScript).
import type { SpaServer } from '../spa/server.mjs';

export interface ReactServer extends Omit<SpaServer, 'configure'> {
  configure(config: { authority?: string; client_id?: string; interval?: number; idle?: { timeout: number; warning?: number } }): void;
}

export function buildReactApp(options?: { outDir?: string }): Promise<string>;

export function startReactServer(options: { dir: string; port?: number; host?: string; hostname?: string }): Promise<ReactServer>;

export function reactClient(clientId: string, origin: string): { client_id: string; redirect_uris: string[]; post_logout_redirect_uris: string[] };
