/** Cedar (`@cedar-policy/cedar-wasm`) with the policy set parsed once, up front. */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { Context, EntityJson, EntityUid } from '@cedar-policy/cedar-wasm/nodejs';

export interface CedarRequest {
  principal: EntityUid;
  action: EntityUid;
  resource: EntityUid;
  context: Context;
  entities: EntityJson[];
}

let sets = 0;

/** Parses `policies` once and returns an authorizer that reuses the parsed set. */
export function cedarAuthorizer(policies: string): (request: CedarRequest) => boolean {
  const id = `bench-${++sets}`;
  const parsed = cedar.preparsePolicySet(id, { staticPolicies: policies });
  if (parsed.type !== 'success') throw new Error(`cedar: policies do not parse: ${JSON.stringify(parsed.errors)}`);
  return request => {
    const answer = cedar.statefulIsAuthorized({
      principal: request.principal,
      action: request.action,
      resource: request.resource,
      context: request.context,
      entities: request.entities,
      preparsedPolicySetId: id,
    });
    if (answer.type !== 'success') throw new Error(`cedar: ${JSON.stringify(answer.errors)}`);
    if (answer.response.diagnostics.errors.length) {
      throw new Error(`cedar: policy evaluation errors: ${JSON.stringify(answer.response.diagnostics.errors)}`);
    }
    return answer.response.decision === 'allow';
  };
}

export function cedarVersion(): string {
  return cedar.getCedarVersion();
}
