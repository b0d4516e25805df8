/**
 * `POST /v1/decide` answered from the decision cache by a server with the decision log off: what
 * the log costs per request, next to the cached scenario (which logs every decision).
 */
import { BENCH_INPUT } from '../policy.js';
import { JSON_HEADERS, type HttpScenario } from '../scenario.js';
import { startPol } from '../servers.js';

export const scenario: HttpScenario = {
  id: 'decide-cached-no-log',
  title: '`POST /v1/decide`, cached, decision log off',
  order: 15,
  server: () => startPol({ decisionLog: false }),
  request: { path: '/v1/decide', method: 'POST', headers: { ...JSON_HEADERS }, body: JSON.stringify({ path: 'bench/allow', input: BENCH_INPUT }) },
};
