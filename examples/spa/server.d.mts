// Types for e2e/spa.spec.ts (the server itself is plain JavaScript).
export interface SpaServer {
  origin: string;
  configure(config: { authority?: string; client_id?: string; interval?: number }): void;
  close(): Promise<void>;
}

export function buildSpa(options?: { outDir?: string }): Promise<string>;

export function startSpaServer(options: { dir: string; port?: number; host?: string; hostname?: string }): Promise<SpaServer>;

export function spaClient(clientId: string, origin: string): { client_id: string; redirect_uris: string[]; post_logout_redirect_uris: string[] };
