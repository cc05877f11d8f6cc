import { readFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { PROFILES } from './profiles.js';
import type { MockOpClient, MockOpOptions, MockOpProfile } from './types.js';

export const USAGE = `Usage: oidc-session-monitor-mock-op [options]

Starts the mock OpenID Provider and prints its issuer URL. Stops cleanly on SIGINT or SIGTERM.

Options:
  --port <n>                   Port to listen on (default 0: a free port)
  --host <addr>                Interface to listen on (default 127.0.0.1; any address that is not
                               loopback prints a warning: the users' passwords are no secret)
  --hostname <name>            Host name in the issuer URL (default localhost)
  --https                      Serve https with a self-signed certificate generated at start
  --https-hostnames <a,b>      Extra names for that certificate (implies --https)
  --cert-out <file>            Write the generated certificate (PEM) to <file>
  --client <spec>              Register a client (repeatable). <spec> is comma-separated key=value:
                                 client_id=app,redirect_uri=http://localhost:3000/cb,
                                 post_logout_redirect_uri=...,frontchannel_logout_uri=...,client_secret=...,
                                 consent=once (prompt=none then answers consent_required),
                                 refresh_tokens=true (issue rotating refresh tokens to this client)
                               redirect_uri and post_logout_redirect_uri may repeat. Use --config for
                               URIs that contain commas.
  --config <file.json>         Read options (MockOpOptions as JSON: clients, users, ...); flags win
  --session-state-mode <mode>  browser (default) or per-client (spec profile only)
  --profile <name>             The OP to play on the wire: spec (default), wso2, django, janssen,
                               keycloak, node-oidc-provider or node-oidc-provider-7
  -h, --help                   Show this help

Users (default): alice/alice and bob/bob.
`;

/** What the command line asked for. */
export type CliCommand = { help: true } | { help: false; options: MockOpOptions; certOut?: string };

/** 127.0.0.0/8 and ::1; IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) match the IPv4 rule. */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * Whether listening on `host` keeps the OP on this machine. An IP address is loopback when it is in
 * 127.0.0.0/8 or is ::1 (brackets allowed); of the names, only `localhost` and `*.localhost`, which
 * resolve to loopback (RFC 6761 §6.3). Any other name is treated as reachable: no DNS lookup here.
 * This is about which interfaces a socket can be reached on, not the rule of `allowedLoopbackHttp`
 * (options.ts), which follows the URL host names browsers trust as loopback origins.
 */
export function isLoopbackListenHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const family = isIP(bare);
  if (family !== 0) return LOOPBACK.check(bare, family === 6 ? 'ipv6' : 'ipv4');
  const name = bare.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/**
 * The warning the CLI prints on stderr before serving on `host`, or undefined when `host` is loopback
 * (undefined `host` means the default, 127.0.0.1). The mock OP signs anyone in with well-known passwords
 * and issues real signed tokens: on another interface, anyone who reaches it can.
 */
export function hostWarning(host: unknown): string | undefined {
  if (typeof host !== 'string' || isLoopbackListenHost(host)) return undefined;
  return (
    `mock-op: warning: listening on ${host}, which is not a loopback address. The mock OP is a test tool: ` +
    'its users have well-known passwords and anyone who can reach it can sign in and get tokens. ' +
    'Use --host 127.0.0.1 (the default) unless other machines or containers must reach it.\n'
  );
}

/** Parses `--client client_id=a,redirect_uri=...,...`. */
export function parseClientSpec(spec: string): MockOpClient {
  const client: MockOpClient = { client_id: '', redirect_uris: [] };
  for (const part of spec.split(',')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new TypeError(`--client: expected key=value, got "${part}".`);
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    switch (key) {
      case 'client_id':
        client.client_id = value;
        break;
      case 'redirect_uri':
        client.redirect_uris.push(value);
        break;
      case 'post_logout_redirect_uri':
        (client.post_logout_redirect_uris ??= []).push(value);
        break;
      case 'frontchannel_logout_uri':
        client.frontchannel_logout_uri = value;
        break;
      case 'frontchannel_logout_session_required':
        client.frontchannel_logout_session_required = value === 'true';
        break;
      case 'client_secret':
        client.client_secret = value;
        break;
      case 'consent':
        if (value !== 'always' && value !== 'once') throw new TypeError('--client: consent must be always or once.');
        client.consent = value;
        break;
      case 'refresh_tokens':
        if (value !== 'true' && value !== 'false') throw new TypeError('--client: refresh_tokens must be true or false.');
        client.refresh_tokens = value === 'true';
        break;
      default:
        throw new TypeError(`--client: unknown key "${key}".`);
    }
  }
  if (client.client_id === '') throw new TypeError('--client: client_id is required.');
  return client;
}

/** Turns argv (without node and the script) into mock OP options. Throws a `TypeError` on bad input. */
export function parseCli(argv: string[]): CliCommand {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      hostname: { type: 'string' },
      https: { type: 'boolean' },
      'https-hostnames': { type: 'string' },
      'cert-out': { type: 'string' },
      client: { type: 'string', multiple: true },
      config: { type: 'string' },
      'session-state-mode': { type: 'string' },
      profile: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { help: true };
  let options: MockOpOptions = { clients: [] };
  if (values.config !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(values.config, 'utf8'));
    } catch (error) {
      throw new TypeError(`--config: cannot read ${values.config}: ${(error as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null) throw new TypeError('--config: the file must hold a JSON object.');
    options = { clients: [], ...(parsed as Partial<MockOpOptions>) };
  }
  if (values.port !== undefined) {
    if (!/^\d+$/.test(values.port)) throw new TypeError('--port must be a number.');
    options.port = Number(values.port);
  }
  if (values.host !== undefined) options.host = values.host;
  if (values.hostname !== undefined) options.hostname = values.hostname;
  if (values['https-hostnames'] !== undefined) {
    options.https = { hostnames: values['https-hostnames'].split(',').filter(Boolean) };
  } else if (values.https) options.https = true;
  for (const spec of values.client ?? []) options.clients = [...options.clients, parseClientSpec(spec)];
  const mode = values['session-state-mode'];
  if (mode !== undefined) {
    if (mode !== 'browser' && mode !== 'per-client') throw new TypeError('--session-state-mode must be browser or per-client.');
    options.sessionStateMode = mode;
  }
  if (values.profile !== undefined) {
    if (!PROFILES.includes(values.profile as MockOpProfile)) throw new TypeError(`--profile must be one of ${PROFILES.join(', ')}.`);
    options.profile = values.profile as MockOpProfile;
  }
  return values['cert-out'] !== undefined ? { help: false, options, certOut: values['cert-out'] } : { help: false, options };
}
