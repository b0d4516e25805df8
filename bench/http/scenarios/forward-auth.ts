/** The forward-auth endpoint as nginx `auth_request` calls it: no body, the original request in headers. */
import type { HttpScenario } from '../scenario.js';

export const scenario: HttpScenario = {
  id: 'forward-auth',
  title: '`GET /v1/forward-auth` (nginx-style headers)',
  order: 40,
  server: 'pol',
  request: { path: '/v1/forward-auth', method: 'GET', headers: { 'x-original-method': 'GET', 'x-original-uri': '/docs/42', authorization: 'Bearer bob-token' } },
};
