/**
 * Every HTTP scenario. To add one (a gateway pipeline, a Redis-backed limiter), write a file in
 * this directory exporting `scenario: HttpScenario` and add its import here.
 */
import type { HttpScenario } from '../scenario.js';
import { scenario as bare } from './bare.js';
import { scenario as bareNode } from './bare-node.js';
import { scenario as decideCached } from './decide-cached.js';
import { scenario as decideCachedNoLog } from './decide-cached-no-log.js';
import { scenario as decideUncached } from './decide-uncached.js';
import { scenario as opaData } from './opa-data.js';
import { scenario as forwardAuth } from './forward-auth.js';

export const SCENARIOS: readonly HttpScenario[] = [bare, bareNode, decideCached, decideCachedNoLog, decideUncached, opaData, forwardAuth].sort((a, b) => a.order - b.order);
