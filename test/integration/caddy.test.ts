/** Caddy `forward_auth` in front of an upstream, with pol's forward-auth endpoint as the auth service. */
import { test } from 'node:test';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary, startStack } from './harness.js';
import { checkProxy } from './proxy-cases.js';

const skip = requireBinary('caddy', ['version']);

function caddyfile(port: number, upstream: number, pol: number): string {
  return `{
	admin off
	auto_https off
}

http://127.0.0.1:${port} {
	forward_auth 127.0.0.1:${pol} {
		uri /v1/forward-auth
		copy_headers X-User X-User-Roles X-Tenant
	}
	reverse_proxy 127.0.0.1:${upstream}
}
`;
}

test('Caddy forward_auth: allow, deny 401/403, identity headers, no spoofing', { skip }, async () => {
  const stack = await startStack();
  try {
    const home = join(stack.tmp, 'home');
    mkdirSync(home);
    const file = join(stack.tmp, 'Caddyfile');
    writeFileSync(file, caddyfile(stack.proxyPort, stack.upstreamPort, stack.polPort));
    // Caddy keeps state under $HOME / XDG dirs: point them into the temp dir.
    await stack.startProxy('caddy', ['run', '--config', file, '--adapter', 'caddyfile'], {
      HOME: home, XDG_DATA_HOME: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config'),
    });
    await checkProxy(stack);
  } finally {
    await stack.close();
  }
});
