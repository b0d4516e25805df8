/** OPA's Data API route, wire-compatible: `POST /v1/data/{path}` with `{input}`. */
import { BENCH_INPUT } from '../policy.js';
import { JSON_HEADERS, type HttpScenario } from '../scenario.js';

export const scenario: HttpScenario = {
  id: 'opa-data',
  title: 'OPA Data API `POST /v1/data/bench/allow`',
  order: 30,
  server: 'pol',
  request: { path: '/v1/data/bench/allow', method: 'POST', headers: { ...JSON_HEADERS }, body: JSON.stringify({ input: BENCH_INPUT }) },
};
