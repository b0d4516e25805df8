/** nginx `auth_request` in front of an upstream, with pol's forward-auth endpoint as the auth service. */
import { test } from 'node:test';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary, startStack } from './harness.js';
import { checkProxy } from './proxy-cases.js';

const skip = requireBinary('nginx', ['-v']);

function nginxConfig(tmp: string, port: number, upstream: number, pol: number): string {
  return `
daemon off;
worker_processes 1;
pid ${tmp}/nginx.pid;
error_log ${tmp}/proxy.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${tmp}/tmp/body;
  proxy_temp_path ${tmp}/tmp/proxy;
  fastcgi_temp_path ${tmp}/tmp/fastcgi;
  uwsgi_temp_path ${tmp}/tmp/uwsgi;
  scgi_temp_path ${tmp}/tmp/scgi;
  server {
    listen 127.0.0.1:${port};
    location / {
      auth_request /_pol_auth;
      auth_request_set $pol_user $upstream_http_x_user;
      auth_request_set $pol_roles $upstream_http_x_user_roles;
      auth_request_set $pol_tenant $upstream_http_x_tenant;
      # Always set: an empty value removes the client's copy of the header.
      proxy_set_header X-User $pol_user;
      proxy_set_header X-User-Roles $pol_roles;
      proxy_set_header X-Tenant $pol_tenant;
      proxy_pass http://127.0.0.1:${upstream};
    }
    location = /_pol_auth {
      internal;
      proxy_pass http://127.0.0.1:${pol}/v1/forward-auth;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header X-Original-Method $request_method;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
}
`;
}

test('nginx auth_request: allow, deny 401/403, identity headers, no spoofing', { skip }, async () => {
  const stack = await startStack();
  try {
    mkdirSync(join(stack.tmp, 'tmp'), { mode: 0o755 });
    const conf = join(stack.tmp, 'nginx.conf');
    writeFileSync(conf, nginxConfig(stack.tmp, stack.proxyPort, stack.upstreamPort, stack.polPort));
    // -e: the error log before the config is read; -p: the prefix for relative paths.
    await stack.startProxy('nginx', ['-e', join(stack.tmp, 'proxy.log'), '-p', stack.tmp, '-c', conf]);
    await checkProxy(stack);
  } finally {
    await stack.close();
  }
});
