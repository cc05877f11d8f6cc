// Types for e2e/script-tag.spec.ts (the server itself is plain JavaScript).
export interface ScriptTagApp {
  origin: string;
  configure(config: { authority?: string; client_id?: string; interval?: number }): void;
  close(): Promise<void>;
}

export function startScriptTagApp(options?: { port?: number; host?: string; hostname?: string; build?: 'full' | 'sdk' }): Promise<ScriptTagApp>;

export function scriptTagClient(clientId: string, origin: string): { client_id: string; redirect_uris: string[]; post_logout_redirect_uris: string[] };

export function contentSecurityPolicy(opOrigin?: string): string;
