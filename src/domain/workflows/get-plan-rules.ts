import type { Operation } from '../context.ts';
import { loadPlanVersion } from '../plans/get-plan.ts';
import { effectiveRules } from './compile-plan-rules.ts';
import type { Rule } from './rules.ts';

export interface PlanRules {
  name: string;
  version: number;
  current_version: number;
  rules: Rule[];
}

/** Every rule the engine runs for a plan version: its workflows and what its fixed fields compile to. */
export async function getPlanRules({
  ctx,
  input,
}: Operation<{ name: string; version?: number | undefined }>): Promise<PlanRules> {
  ctx.require('read');
  const view = await loadPlanVersion(ctx.db, input.name, input.version);
  return {
    name: view.name,
    version: view.version,
    current_version: view.current_version,
    rules: effectiveRules(view.plan),
  };
}
