import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { USAGE, hostWarning, parseCli, parseClientSpec } from '../../src/mock-op/cli-args.js';

// The options parseCli hands to node:util's parseArgs, captured on the way (the real parser still runs),
// so the --help test compares the usage text with the flags the parser really knows.
const parser = vi.hoisted(() => ({ options: undefined as ParseArgsConfig['options'] }));
vi.mock('node:util', async (importOriginal) => {
  const util = await importOriginal<typeof import('node:util')>();
  return {
    ...util,
    parseArgs: (config: ParseArgsConfig) => {
      parser.options = config.options;
      return util.parseArgs(config);
    },
  };
});

describe('CLI arguments', () => {
  it('parses flags and repeatable --client specs', () => {
    const command = parseCli([
      '--port', '4000',
      '--host', '0.0.0.0',
      '--hostname', 'op.test',
      '--https-hostnames', 'op.test,rp-a.test',
      '--session-state-mode', 'per-client',
      '--client', 'client_id=a,redirect_uri=http://localhost:3000/cb,redirect_uri=http://localhost:3000/cb2,post_logout_redirect_uri=http://localhost:3000/',
      '--client', 'client_id=b,redirect_uri=http://localhost:3001/cb,frontchannel_logout_uri=http://localhost:3001/fcl,client_secret=s',
    ]);
    expect(command).toEqual({
      help: false,
      options: {
        clients: [
          { client_id: 'a', redirect_uris: ['http://localhost:3000/cb', 'http://localhost:3000/cb2'], post_logout_redirect_uris: ['http://localhost:3000/'] },
          { client_id: 'b', redirect_uris: ['http://localhost:3001/cb'], frontchannel_logout_uri: 'http://localhost:3001/fcl', client_secret: 's' },
        ],
        port: 4000,
        host: '0.0.0.0',
        hostname: 'op.test',
        https: { hostnames: ['op.test', 'rp-a.test'] },
        sessionStateMode: 'per-client',
      },
    });
  });

  it('reads --config and lets flags win', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mock-op-'));
    const file = join(dir, 'op.json');
    writeFileSync(file, JSON.stringify({ port: 1, clients: [{ client_id: 'c', redirect_uris: ['http://localhost/cb'] }], users: [{ sub: 'u', username: 'u', password: 'p' }] }));
    const command = parseCli(['--config', file, '--port', '2', '--https']);
    expect(command).toMatchObject({ help: false, options: { port: 2, https: true, clients: [{ client_id: 'c' }], users: [{ sub: 'u' }] } });
  });

  it('takes --profile and a client consent, and refuses unknown ones', () => {
    const command = parseCli(['--profile', 'keycloak', '--client', 'client_id=a,redirect_uri=http://localhost:3000/cb,consent=once']);
    expect(command).toMatchObject({ help: false, options: { profile: 'keycloak', clients: [{ client_id: 'a', consent: 'once' }] } });
    expect(() => parseCli(['--profile', 'okta'])).toThrow(/--profile must be one of spec, wso2, django, janssen, keycloak, node-oidc-provider/);
    expect(() => parseCli(['--client', 'client_id=a,consent=never'])).toThrow(/consent/);
  });

  it('takes refresh_tokens=true|false in a --client spec, refuses other values, and --help shows it', () => {
    const command = parseCli(['--client', 'client_id=a,redirect_uri=http://localhost:3000/cb,refresh_tokens=true']);
    expect(command).toMatchObject({ help: false, options: { clients: [{ client_id: 'a', refresh_tokens: true }] } });
    expect(parseClientSpec('client_id=a,refresh_tokens=false').refresh_tokens).toBe(false);
    expect(parseClientSpec('client_id=a')).not.toHaveProperty('refresh_tokens');
    expect(() => parseClientSpec('client_id=a,refresh_tokens=yes')).toThrow(/refresh_tokens must be true or false/);
    expect(USAGE).toMatch(/refresh_tokens=true/);
  });

  it('--help lists every flag the parser accepts, and only those', () => {
    parseCli([]);
    const accepted = Object.keys(parser.options ?? {}).sort();
    expect(accepted).toContain('help');
    const listed = [...USAGE.matchAll(/^ {2}(?:-[a-z], )?--([a-z][a-z-]*)/gm)].map((m) => m[1]!).sort();
    expect(listed).toEqual(accepted);
    // Short forms too: each one the parser knows is shown beside its flag.
    for (const [name, option] of Object.entries(parser.options ?? {})) {
      const short = (option as { short?: string }).short;
      if (short !== undefined) expect(USAGE).toMatch(new RegExp(`^ {2}-${short}, --${name}\\b`, 'm'));
    }
  });

  it('answers --help and rejects bad input with a TypeError', () => {
    expect(parseCli(['--help'])).toEqual({ help: true });
    expect(() => parseCli(['--port', 'x'])).toThrow(/--port/);
    expect(() => parseCli(['--nope'])).toThrow();
    expect(() => parseCli(['--session-state-mode', 'x'])).toThrow(/session-state-mode/);
    expect(() => parseCli(['--config', '/does/not/exist.json'])).toThrow(/--config/);
    expect(() => parseClientSpec('redirect_uri=http://localhost/cb')).toThrow(/client_id/);
    expect(() => parseClientSpec('client_id=a,colour=blue')).toThrow(/colour/);
  });

  it.each([
    '0.0.0.0',
    '::',
    '[::]',
    '192.168.1.20',
    '10.0.0.1',
    'fe80::1',
    '::ffff:192.168.1.20',
    'op.lan',
    'localhost.example.com',
  ])('warns that --host %s is not loopback, naming it and the safe default', (host) => {
    const command = parseCli(['--host', host]);
    if (command.help) throw new Error('unexpected --help');
    const warning = hostWarning(command.options.host);
    expect(warning).toMatch(/^mock-op: warning: /);
    expect(warning).toContain(`listening on ${host}, which is not a loopback address`);
    expect(warning).toContain('--host 127.0.0.1');
    expect(warning).toMatch(/\n$/);
  });

  it.each([undefined, '127.0.0.1', '127.8.9.10', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST', 'op.localhost', 'localhost.'])(
    'does not warn about loopback --host %s',
    (host) => {
      expect(hostWarning(host)).toBeUndefined();
    },
  );
});
