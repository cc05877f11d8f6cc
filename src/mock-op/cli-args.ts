import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { MockOpClient, MockOpOptions } from './types.js';

export const USAGE = `Usage: oidc-session-monitor-mock-op [options]

Starts the mock OpenID Provider and prints its issuer URL. Stops cleanly on SIGINT or SIGTERM.

Options:
  --port <n>                   Port to listen on (default 0: a free port)
  --host <addr>                Interface to listen on (default 127.0.0.1)
  --hostname <name>            Host name in the issuer URL (default localhost)
  --https                      Serve https with a self-signed certificate generated at start
  --https-hostnames <a,b>      Extra names for that certificate (implies --https)
  --cert-out <file>            Write the generated certificate (PEM) to <file>
  --client <spec>              Register a client (repeatable). <spec> is comma-separated key=value:
                                 client_id=app,redirect_uri=http://localhost:3000/cb,
                                 post_logout_redirect_uri=...,frontchannel_logout_uri=...,client_secret=...
                               redirect_uri and post_logout_redirect_uri may repeat. Use --config for
                               URIs that contain commas.
  --config <file.json>         Read options (MockOpOptions as JSON: clients, users, ...); flags win
  --session-state-mode <mode>  browser (default) or per-client
  --help                       Show this help

Users (default): alice/alice and bob/bob.
`;

/** What the command line asked for. */
export type CliCommand = { help: true } | { help: false; options: MockOpOptions; certOut?: string };

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
  return values['cert-out'] !== undefined ? { help: false, options, certOut: values['cert-out'] } : { help: false, options };
}
