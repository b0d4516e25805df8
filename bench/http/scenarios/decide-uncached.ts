/** `POST /v1/decide` with the cache bypassed per request: every request is evaluated. */
import { BENCH_INPUT } from '../policy.js';
import { JSON_HEADERS, type HttpScenario } from '../scenario.js';

export const scenario: HttpScenario = {
  id: 'decide-uncached',
  title: '`POST /v1/decide`, cache bypassed',
  order: 20,
  server: 'pol',
  request: { path: '/v1/decide', method: 'POST', headers: { ...JSON_HEADERS }, body: JSON.stringify({ path: 'bench/allow', input: BENCH_INPUT, cache: false }) },
  target: { ratio: 0.8, source: 'issue #4' },
};
