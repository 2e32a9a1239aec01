import type { Executor } from '../../db/schema.ts';
import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { type Plan, upgradeStoredPlan } from './plan.ts';
import * as plans from './queries.ts';

export interface PlanVersionView {
  name: string;
  version: number;
  current_version: number;
  digest: string;
  source: string;
  plan: Plan;
  created_at: Date;
  created_by: string;
}

// A plan version never changes once saved, and its digest is the hash of its spec: spec and source
// are kept here by digest, so an incident operation reads a few columns instead of the whole plan
// (and parses no jsonb) each time. Bounded: the oldest entry goes first.
const CACHED_VERSIONS = 64;
const byDigest = new Map<string, { plan: Plan; source: string }>();

/** Frozen: every caller shares the one object, so a change by one would be a change for all. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function remember(digest: string, content: { plan: Plan; source: string }): void {
  byDigest.set(digest, deepFreeze(content));
  if (byDigest.size > CACHED_VERSIONS) byDigest.delete(byDigest.keys().next().value as string);
}

/** A plan's version (default: the current one) read inside any executor; used by other concepts. */
export async function loadPlanVersion(
  db: Executor,
  name: string,
  version?: number,
): Promise<PlanVersionView> {
  const head = await plans.findVersionHead(db, name, version);
  if (!head) {
    if (version === undefined || !(await plans.findPlan(db, name))) throw new NotFound('plan', name);
    throw new NotFound('plan version', `${name}@${version}`);
  }
  let content = byDigest.get(head.digest);
  if (!content) {
    const row = await plans.versionContent(db, name, head.version);
    if (!row) throw new NotFound('plan version', `${name}@${head.version}`);
    content = { plan: upgradeStoredPlan(row.spec, head.digest), source: row.source };
    remember(head.digest, content);
  }
  return {
    name,
    version: head.version,
    current_version: head.current_version,
    digest: head.digest,
    source: content.source,
    plan: content.plan,
    created_at: head.created_at,
    created_by: head.created_by,
  };
}

/**
 * The plan of a version whose digest the caller already read (e.g. in the statement that locked the
 * incident): from the cache without a round trip; read like loadPlanVersion when not cached.
 */
export async function planOfDigest(
  db: Executor,
  name: string,
  version: number,
  digest: string | null | undefined,
): Promise<Plan> {
  const cached = digest ? byDigest.get(digest) : undefined;
  if (cached) return cached.plan;
  return (await loadPlanVersion(db, name, version)).plan;
}

export async function getPlan({ ctx, input }: Operation<{ name: string; version?: number | undefined }>) {
  ctx.require('read');
  return loadPlanVersion(ctx.db, input.name, input.version);
}
