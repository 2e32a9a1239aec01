import type { Executor } from '../../db/schema.ts';
import { loadPlanVersion } from '../plans/get-plan.ts';
import type { Plan } from '../plans/plan.ts';

// Plan versions never change once stored, so an engine keeps the ones its incidents use in memory.
// Each incident is evaluated against its own version, never the plan's current one.
export class PlanCache {
  private readonly plans = new Map<string, Plan>();

  constructor(private readonly limit = 500) {}

  async get(db: Executor, name: string, version: number): Promise<Plan> {
    const key = `${name}@${version}`;
    const hit = this.plans.get(key);
    if (hit) return hit;
    const { plan } = await loadPlanVersion(db, name, version);
    if (this.plans.size >= this.limit) this.plans.clear();
    this.plans.set(key, plan);
    return plan;
  }
}
