/** `POST /v1/decide` answered from the decision cache (every request after the first is a hit). */
import { BENCH_INPUT } from '../policy.js';
import { JSON_HEADERS, type HttpScenario } from '../scenario.js';

export const scenario: HttpScenario = {
  id: 'decide-cached',
  title: '`POST /v1/decide`, cached',
  order: 10,
  server: 'pol',
  request: { path: '/v1/decide', method: 'POST', headers: { ...JSON_HEADERS }, body: JSON.stringify({ path: 'bench/allow', input: BENCH_INPUT }) },
  target: { ratio: 0.95, source: 'issue #4' },
};
