import { createHash } from 'node:crypto';
import { inTx } from '../../db/tx.ts';
import { Invalid } from '../../errors.ts';
import { formatSourceError, parseYamlSource, type SourceError } from '../../lib/yaml-source.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { type Plan, validatePlanDocument } from './plan.ts';
import * as plans from './queries.ts';

export interface SavePlanInput {
  /** The plan file's text (YAML or JSON). Stored as given so `plan show` returns what was applied. */
  source: string;
  /** Shown in errors, e.g. the file path. */
  file?: string;
  /** When set (PUT /api/v1/plans/:name), the plan's metadata.name must match. */
  name?: string;
  dryRun?: boolean;
}

export interface SavePlanResult {
  name: string;
  version: number;
  change: 'created' | 'updated' | 'unchanged';
  plan: Plan;
  /** Fields the plan uses that Tocsin only stores, file:line:col (what `tocsin plan validate` prints). */
  field_warnings: SourceError[];
}

function digestOf(plan: Plan): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex');
}

/**
 * Validates a plan and stores it as a new version when it differs from the current one; applying the
 * same plan twice changes nothing. Incidents keep the version they were declared under.
 */
export async function savePlan({ ctx, input }: Operation<SavePlanInput>): Promise<SavePlanResult> {
  ctx.require('plan:write');
  const file = input.file ?? 'plan';
  const source = parseYamlSource(input.source, file);
  const doc = source.documents[0];
  const loaded = source.errors.length > 0 || !doc ? { errors: source.errors } : validatePlanDocument(doc);
  const plan = 'plan' in loaded ? loaded.plan : undefined;
  if (!plan) {
    const errors =
      loaded.errors.length > 0 ? loaded.errors : [{ file, line: 1, col: 1, message: 'empty plan' }];
    throw new Invalid(
      `the plan is not valid: ${formatSourceError(errors[0] as (typeof errors)[0])}`,
      errors.map((e) => ({ path: `${e.file}:${e.line}:${e.col}`, message: e.message })),
    );
  }
  if (input.name && input.name !== plan.metadata.name) {
    throw new Invalid('plan name mismatch', [
      { path: 'metadata.name', message: `is "${plan.metadata.name}" but the URL names "${input.name}"` },
    ]);
  }
  const name = plan.metadata.name;
  const digest = digestOf(plan);
  const field_warnings = loaded.warnings ?? [];
  return inTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const current = await plans.lockPlan(tx, name);
    const currentVersion = current ? await plans.findVersion(tx, name, current.current_version) : undefined;
    if (currentVersion && currentVersion.digest === digest) {
      return { name, version: currentVersion.version, change: 'unchanged', plan, field_warnings };
    }
    const version = (current?.current_version ?? 0) + 1;
    const change = current ? 'updated' : 'created';
    if (input.dryRun) return { name, version, change, plan, field_warnings };
    if (!current)
      await plans.insertPlan(tx, { name, current_version: version, created_at: now, updated_at: now });
    await plans.insertVersion(tx, {
      plan_name: name,
      version,
      source: input.source,
      spec: JSON.stringify(plan),
      digest,
      created_at: now,
      created_by: ctx.actor.name,
    });
    if (current) await plans.setCurrentVersion(tx, name, version, now);
    await audit.record(tx, ctx.actor, now, {
      action: current ? 'plan.updated' : 'plan.created',
      entityType: 'plan',
      entityId: name,
      before: currentVersion ? { version: currentVersion.version, digest: currentVersion.digest } : undefined,
      after: { version, digest },
    });
    return { name, version, change, plan, field_warnings };
  });
}
