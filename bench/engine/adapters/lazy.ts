/**
 * The engine adapters behind dynamic imports: a worker measuring Casbin never loads the Cedar
 * Wasm module or pol's engine, which keeps start-up short and the heap free of the others.
 */
import type { PolSetup } from './pol.js';
import type { CedarRequest } from './cedar.js';
import type { Enforcer } from 'casbin';
import type { Decide } from '../workload.js';

export async function polEngine(setup: PolSetup): Promise<Decide> {
  return (await import('./pol.js')).polEngine(setup);
}

export async function polCachedEngine(setup: PolSetup): Promise<Decide> {
  return (await import('./pol.js')).polCachedEngine(setup);
}

export async function cedarAuthorizer(policies: string): Promise<(request: CedarRequest) => boolean> {
  return (await import('./cedar.js')).cedarAuthorizer(policies);
}

export async function casbinEnforcer(model: string, lines: string[]): Promise<Enforcer> {
  return (await import('./casbin.js')).casbinEnforcer(model, lines);
}
