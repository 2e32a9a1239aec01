import { advisoryXactLock, LOCKS } from '../../db/locks.ts';
import { AppError, Invalid } from '../../errors.ts';
import { formatSourceError, type SourceError } from '../../lib/yaml-source.ts';
import type { Ctx, Operation } from '../context.ts';
import { planPagingGaps, planRecipientGaps, servicePagingGaps } from '../paging/paging-gaps.ts';
import { loadPlanVersion } from '../plans/get-plan.ts';
import type { Plan } from '../plans/plan.ts';
import * as services from '../services/queries.ts';
import { type Change, type FieldChange, NAME_PATH } from './config.ts';
import { type ConfigSource, parseConfigSources, type ValidDocument } from './documents.ts';
import { pruningKinds } from './registry.ts';

export interface ApplyInput {
  sources: ConfigSource[];
  /** Runs the whole apply, then rolls it back: reports what would change, changes nothing. */
  dryRun?: boolean | undefined;
  /** Told after each kind's batch (and each document applied alone): documents done, of total. */
  onProgress?: ((done: number, total: number) => void) | undefined;
}

export interface AppliedDocument {
  kind: string;
  name: string;
  file: string;
  change: Change;
  diff: FieldChange[];
}

export interface ApplyResult {
  results: AppliedDocument[];
  /** False for a dry run: the transaction was rolled back. */
  applied: boolean;
  /** What the applied documents leave wrong but allowed: severities and services that page nobody. */
  warnings: string[];
  /**
   * Fields the documents use that Tocsin only stores (plan-fields.ts), file:line:col, exactly the
   * warnings `tocsin plan validate` prints for the same file.
   */
  field_warnings: SourceError[];
}

/** Every error of the documents as one Invalid whose details are `file:line:col` paths. */
export function invalidDocuments(errors: SourceError[]): Invalid {
  const first = errors[0] as SourceError;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new Invalid(
    `nothing was applied: ${formatSourceError(first)}${more}`,
    errors.map((e) => ({ path: `${e.file}:${e.line}:${e.col}`, message: e.message })),
  );
}

/** Thrown inside the transaction to roll a dry run back; never leaves this file. */
class DryRun extends Error {
  constructor(
    readonly results: AppliedDocument[],
    readonly warnings: string[],
  ) {
    super('dry run');
  }
}

/** Users before Teams before Plans (by each kind's order); within a kind, in the order given. */
function inDependencyOrder(documents: ValidDocument[]): ValidDocument[] {
  return documents
    .map((d, i) => ({ d, i }))
    .sort((a, b) => a.d.handler.order - b.d.handler.order || a.i - b.i)
    .map(({ d }) => d);
}

/** An error an operation raised about one document, placed in that document. */
function errorsOf(doc: ValidDocument, error: AppError): SourceError[] {
  const at = (path: readonly PropertyKey[], message: string): SourceError => ({
    file: doc.file,
    ...doc.source.locate(path.map((p) => (typeof p === 'string' && /^\d+$/.test(p) ? Number(p) : p))),
    message: `${doc.kind} "${doc.name}": ${message}`,
  });
  if (error.details.length === 0) return [at(NAME_PATH, error.message)];
  const locate = doc.handler.locate ?? ((p: string) => ['spec', ...p.split('.')]);
  return error.details.map((d) => at(locate(d.path), `${d.path}: ${d.message}`));
}

/** Consecutive documents of one kind (the dependency order keeps a kind's documents together). */
function byKind(documents: ValidDocument[]): ValidDocument[][] {
  const groups: ValidDocument[][] = [];
  for (const doc of documents) {
    const last = groups[groups.length - 1];
    if (last && last[0]?.handler === doc.handler) last.push(doc);
    else groups.push([doc]);
  }
  return groups;
}

/** A kind's documents at once through its applyMany; undefined when it has none or refuses. */
async function applyGroup(ctx: Ctx, group: ValidDocument[]): Promise<AppliedDocument[] | undefined> {
  const handler = group[0]?.handler;
  if (!handler?.applyMany || group.length < 2) return undefined;
  try {
    const applied = await handler.applyMany(
      ctx,
      group.map((d) => d.value),
      group,
    );
    return group.map((doc, i) => {
      const { diff, change } = applied[i] as (typeof applied)[number];
      return {
        kind: doc.kind,
        name: doc.name,
        file: doc.file,
        change,
        diff: change === 'updated' ? diff.fields : [],
      };
    });
  } catch (error) {
    // Refused: the documents go one by one below, which places each error in its document.
    if (error instanceof AppError) return undefined;
    throw error;
  }
}

async function applyAll(
  ctx: Ctx,
  documents: ValidDocument[],
  onProgress: (done: number, total: number) => void,
): Promise<AppliedDocument[]> {
  const results: AppliedDocument[] = [];
  const errors: SourceError[] = [];
  for (const group of byKind(documents)) {
    const together = await applyGroup(ctx, group);
    if (together) {
      results.push(...together);
      onProgress(results.length, documents.length);
      continue;
    }
    for (const doc of group) {
      await applyOne(ctx, doc, results, errors);
      onProgress(results.length + errors.length, documents.length);
    }
  }
  if (errors.length > 0) throw invalidDocuments(errors);
  return results;
}

/** Who the applied plans and services would page, read back from the store as applied. */
async function pagingWarnings(ctx: Ctx, documents: ValidDocument[]): Promise<string[]> {
  const plans = documents.filter((d) => d.kind === 'Plan').map((d) => d.value as Plan);
  const serviceNames = documents.filter((d) => d.kind === 'Service').map((d) => d.name);
  const affected = await services.servicesNamedOrOnPlans(
    ctx.db,
    serviceNames,
    plans.map((p) => p.metadata.name),
  );
  const loaded = new Map<string, Plan | undefined>();
  const warnings: string[] = [];
  for (const service of affected) {
    const name = service.plan_name;
    if (name && !loaded.has(name)) loaded.set(name, (await loadPlanVersion(ctx.db, name)).plan);
    warnings.push(...servicePagingGaps(service, name ? loaded.get(name) : undefined));
  }
  // A plan no service uses yet: warn about severities that would page nobody whatever the service.
  const used = new Set(affected.map((s) => s.plan_name));
  for (const plan of plans) if (!used.has(plan.metadata.name)) warnings.push(...planPagingGaps(plan));
  for (const plan of plans) warnings.push(...planRecipientGaps(plan));
  return warnings;
}

async function applyOne(ctx: Ctx, doc: ValidDocument, results: AppliedDocument[], errors: SourceError[]) {
  try {
    const diff = await doc.handler.plan(ctx, doc.value);
    const change = await doc.handler.apply(ctx, doc.value, doc);
    results.push({
      kind: doc.kind,
      name: doc.name,
      file: doc.file,
      change,
      diff: change === 'updated' ? diff.fields : [],
    });
  } catch (error) {
    // An operation refusing one document (say, a team member no user has) is reported with the
    // others; the transaction is rolled back below, so what ran before it is undone. Anything
    // else (a lost connection, a permission) ends the apply at once.
    if (!(error instanceof AppError) || !['invalid', 'not_found', 'conflict'].includes(error.code)) {
      throw error;
    }
    errors.push(...errorsOf(doc, error));
  }
}

/** What earlier applies of the same files made and the files no longer hold, ended (kinds with prune). */
async function pruneRemoved(ctx: Ctx, sources: ConfigSource[], documents: ValidDocument[]) {
  const files = [...new Set(sources.map((s) => s.file))];
  const ended: AppliedDocument[] = [];
  for (const handler of pruningKinds()) {
    const keep = new Set(documents.filter((d) => d.handler === handler).map((d) => d.name));
    for (const gone of (await handler.prune?.(ctx, files, keep)) ?? []) {
      ended.push({ kind: handler.kind, name: gone.name, file: gone.file, change: 'deleted', diff: [] });
    }
  }
  return ended;
}

/**
 * Applies configuration documents like `kubectl apply`: parses every source (several documents per
 * file), validates all of them first, then applies them in dependency order in one transaction, all
 * or nothing. Applying the same documents twice changes nothing the second time.
 */
export async function applyDocuments({ ctx, input }: Operation<ApplyInput>): Promise<ApplyResult> {
  ctx.require('read');
  const { documents, errors } = parseConfigSources(input.sources);
  if (errors.length > 0) throw invalidDocuments(errors);
  if (documents.length === 0) {
    throw new Invalid('nothing to apply: the sources hold no documents', [
      { path: 'documents', message: 'no documents' },
    ]);
  }
  for (const handler of new Set(documents.map((d) => d.handler))) ctx.require(handler.permission);
  const ordered = inDependencyOrder(documents);
  const fieldWarnings = documents.flatMap((d) => d.warnings);
  try {
    const results = await ctx.db.transaction().execute(async (tx) => {
      // One apply at a time, so two applies creating the same new user cannot collide.
      await advisoryXactLock(tx, LOCKS.planApply);
      const results = await applyAll({ ...ctx, db: tx }, ordered, input.onProgress ?? (() => {}));
      results.push(...(await pruneRemoved({ ...ctx, db: tx }, input.sources, ordered)));
      const warnings = await pagingWarnings({ ...ctx, db: tx }, ordered);
      if (input.dryRun) throw new DryRun(results, warnings);
      return { results, warnings };
    });
    return { ...results, applied: true, field_warnings: fieldWarnings };
  } catch (error) {
    if (error instanceof DryRun) {
      return {
        results: error.results,
        warnings: error.warnings,
        applied: false,
        field_warnings: fieldWarnings,
      };
    }
    throw error;
  }
}
