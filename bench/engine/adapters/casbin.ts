/** Casbin with an in-memory enforcer built from model text and policy lines. */
import { newEnforcer, newModelFromString, StringAdapter, type Enforcer } from 'casbin';

/** An enforcer over `lines` (each a CSV policy line, e.g. `p, admin, res1, read`). */
export async function casbinEnforcer(model: string, lines: string[]): Promise<Enforcer> {
  // An empty policy (pure ABAC matchers) takes no adapter: casbin rejects an empty policy text.
  const enforcer = lines.length
    ? await newEnforcer(newModelFromString(model), new StringAdapter(lines.join('\n')))
    : await newEnforcer(newModelFromString(model));
  // Casbin logs nothing by default; keep it that way so output does not skew timings.
  enforcer.enableLog(false);
  return enforcer;
}
