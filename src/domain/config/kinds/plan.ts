import { NotFound } from '../../../errors.ts';
import { loadPlanVersion } from '../../plans/get-plan.ts';
import { type Plan, validatePlanDocument } from '../../plans/plan.ts';
import { savePlan } from '../../plans/save-plan.ts';
import { defineKind, diffAgainst } from '../config.ts';

// kind: Plan — the whole plan file, exactly as `tocsin plan validate` reads it (see plan-schema.ts).
// Stored with a version history: a changed plan becomes a new version, an unchanged one does not.

async function storedPlan(ctx: Parameters<typeof loadPlanVersion>[0], name: string) {
  try {
    return (await loadPlanVersion(ctx, name)).plan;
  } catch (error) {
    if (error instanceof NotFound) return undefined;
    throw error;
  }
}

export const planKind = defineKind<Plan>({
  kind: 'Plan',
  order: 30,
  permission: 'plan:write',
  validate(doc) {
    const loaded = validatePlanDocument(doc);
    // The stored-only field warnings are the ones `tocsin plan validate` prints (validatePlanDocument).
    return loaded.plan ? { value: loaded.plan, warnings: loaded.warnings ?? [] } : { errors: loaded.errors };
  },
  name: (plan) => plan.metadata.name,
  async plan(ctx, plan) {
    // Both sides went through JSON (the stored spec is jsonb), so they compare field by field.
    return diffAgainst(await storedPlan(ctx.db, plan.metadata.name), JSON.parse(JSON.stringify(plan)));
  },
  async apply(ctx, _plan, doc) {
    // The document's own text (not the whole multi-document file) becomes the stored source;
    // it was validated above already, at its real position in the file.
    const { change } = await savePlan({ ctx, input: { source: doc.text, file: doc.file } });
    return change;
  },
  locate: (detailPath) => detailPath.split('.'),
});
