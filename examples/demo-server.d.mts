import type { MockOp, MockOpProfile, SessionStateMode } from '../src/mock-op/index.js';

export interface DemoRp {
  name: string;
  origin: string;
  port: number;
  configure(config: Record<string, unknown>): void;
  close(): Promise<void>;
}

export function startRp(options: { name: string; port?: number; host?: string; hostname?: string; tls?: { cert: string; key: string } }): Promise<DemoRp>;

export function demoClient(clientId: string, origin: string, options?: { frontChannel?: boolean; profile?: MockOpProfile; consent?: 'always' | 'once' }): {
  client_id: string;
  redirect_uris: string[];
  consent?: 'always' | 'once';
  post_logout_redirect_uris: string[];
  frontchannel_logout_uri?: string;
  frontchannel_logout_session_required?: boolean;
};

export interface Demo {
  op: MockOp;
  a: DemoRp;
  b: DemoRp;
  close(): Promise<void>;
}

export function startDemo(options?: {
  opPort?: number;
  aPort?: number;
  bPort?: number;
  interval?: number;
  sessionStateMode?: SessionStateMode;
  /** The OP the mock OP plays (`'spec'` by default). */
  profile?: MockOpProfile;
  /** What the user answered on the OP's consent page for A and B: `'once'` makes prompt=none answer consent_required. */
  consent?: 'always' | 'once';
  /** startMonitoring options of the apps; `false`: the apps do not monitor (a test of the idle timeout alone). */
  monitor?: Record<string, unknown> | false;
  silentRequestTimeoutInSeconds?: number;
  /** Register front-channel logout URIs for A and B. Default true. */
  frontChannel?: boolean;
  /** Cross-site set-up over HTTPS: host names for the OP and the two apps (map them to 127.0.0.1 in the browser). */
  hostnames?: { op: string; a: string; b: string };
  /**
   * Skews the mock OP's clock for the ID tokens it issues (`iat`, `exp`, `auth_time`): the mock OP's
   * `clockSkewSeconds`. `-60` is an OP running a minute behind the browser. Default 0.
   */
  opClockSkewSeconds?: number;
  /** Turns on the apps' idle timeout (`watchIdle` of `oidc-session-monitor/idle`) with these options. */
  idle?: { timeout: number; warning?: number; logout?: boolean | Record<string, unknown> };
  /** Keep each tab's user in sessionStorage (oidc-client-ts's default) instead of localStorage shared by all tabs. */
  perTabUser?: boolean;
}): Promise<Demo>;
