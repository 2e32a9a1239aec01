import { z } from 'zod';
import { issuesToSourceErrors, type SourceDocument, type SourceError } from '../../lib/yaml-source.ts';
import type { Ctx, Permission } from '../context.ts';

// Configuration as code: YAML documents (`apiVersion: tocsin.dev/v1`, `kind: …`) applied like
// `kubectl apply`. Each kind is one handler in ./kinds/, listed in ./registry.ts.

export const API_VERSION = 'tocsin.dev/v1';

export type Change = 'created' | 'updated' | 'unchanged' | 'deleted';

/** One changed field; `before`/`after` are absent when the field did not exist on that side. */
export interface FieldChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface Diff {
  change: Change;
  /** Changed fields when `change` is 'updated'; empty otherwise. */
  fields: FieldChange[];
}

/** One document of one source file, parsed with positions. */
export interface ConfigDocument {
  file: string;
  kind: string;
  /** The document's own text (its slice of the file), for kinds that store their source. */
  text: string;
  source: SourceDocument;
}

export type Validation<T> =
  /** `warnings`: what is valid but worth saying, e.g. a plan's stored-only fields (file:line:col). */
  { value: T; errors?: undefined; warnings?: SourceError[] } | { value?: undefined; errors: SourceError[] };

/**
 * Everything Tocsin needs to know about one kind of document. A new kind (Service, Schedule, …) is
 * one file in ./kinds/ exporting a handler, plus one line in ./registry.ts.
 */
export interface KindHandler<T> {
  /** The document's `kind`. */
  kind: string;
  /**
   * Apply order: a kind comes after the kinds its documents reference (User 10 < Team 20 < Plan 30),
   * so a document may reference another one defined in the same apply.
   */
  order: number;
  /** Checked for every kind present before anything is written (the operations check it too). */
  permission: Permission;
  /** Schema and the kind's own checks on one document; errors point into the document. */
  validate(doc: SourceDocument): Validation<T>;
  /** The document's name, unique per kind (metadata.name). */
  name(value: T): string;
  /** Compares the document with the store, reading only; ctx.db is the apply's transaction. */
  plan(ctx: Ctx, value: T): Promise<Diff>;
  /** Writes the document through the concept's operation inside the apply's transaction (ctx.db). */
  apply(ctx: Ctx, value: T, doc: ConfigDocument): Promise<Change>;
  /**
   * Optional: plan and apply many documents of this kind at once, in a few statements, with the
   * results plan + apply would give one by one (in input order). When it refuses (an AppError), the
   * documents are applied one by one instead, so each error is placed in its own document.
   */
  applyMany?(ctx: Ctx, values: T[], docs: ConfigDocument[]): Promise<{ diff: Diff; change: Change }[]>;
  /**
   * Where a field path named by an Invalid error of the operation (its input's path, e.g.
   * "members.0.user") lies in the document; default: under `spec`.
   */
  locate?(detailPath: string): PropertyKey[];
  /**
   * Optional: ends what earlier applies of these files created and the files no longer hold
   * (`keep`: the names this apply has of the kind). Returns what it ended.
   */
  prune?(ctx: Ctx, files: string[], keep: Set<string>): Promise<{ name: string; file: string }[]>;
}

/** Erases a handler's value type for the registry; the value only ever flows back to its own handler. */
export function defineKind<T>(handler: KindHandler<T>): KindHandler<unknown> {
  return handler as unknown as KindHandler<unknown>;
}

/** The usual document shape: apiVersion, kind, metadata and spec, unknown keys refused. */
export function documentSchema<K extends string, M extends z.ZodType, S extends z.ZodType>(
  kind: K,
  metadata: M,
  spec: S,
) {
  return z.strictObject({ apiVersion: z.literal(API_VERSION), kind: z.literal(kind), metadata, spec });
}

/** Validates a document against a schema, errors at file:line:col. */
export function parseDocument<S extends z.ZodType>(schema: S, doc: SourceDocument): Validation<z.output<S>> {
  // "required" reads better than zod's "expected object, received undefined" for a missing field.
  const parsed = schema.safeParse(doc.value, {
    error: (issue) => (issue.input === undefined ? 'required' : undefined),
  });
  return parsed.success ? { value: parsed.data } : { errors: issuesToSourceErrors(doc, parsed.error.issues) };
}

/** An error at a path of a document. */
export function errorAt(doc: SourceDocument, path: readonly PropertyKey[], message: string): SourceError {
  return { file: doc.file, ...doc.locate(path), message };
}

/** Path of the document's name, where duplicate and store errors point. */
export const NAME_PATH = ['metadata', 'name'] as const;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON with sorted keys: equal values (regardless of key order, as jsonb returns them) compare equal. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_key, value: unknown) =>
    isPlainObject(value)
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .filter((k) => value[k] !== undefined)
            .map((k) => [k, value[k]]),
        )
      : value,
  );
}

export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/**
 * Field-level differences between the stored state and a document, as dotted paths. Objects (and
 * arrays of equal length) are compared member by member; anything else is one change.
 */
export function diffFields(before: unknown, after: unknown, path: string[] = []): FieldChange[] {
  if (sameValue(before, after)) return [];
  const here = (): FieldChange => {
    const c: FieldChange = { path: path.join('.') || '(document)' };
    if (before !== undefined) c.before = before;
    if (after !== undefined) c.after = after;
    return c;
  };
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffFields(before[k], after[k], [...path, k]));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((b, i) => diffFields(b, after[i], [...path, String(i)]));
  }
  return [here()];
}

/** The diff of a document against what the store holds (undefined: nothing yet). */
export function diffAgainst(stored: unknown, wanted: unknown): Diff {
  if (stored === undefined) return { change: 'created', fields: [] };
  const fields = diffFields(stored, wanted);
  return { change: fields.length > 0 ? 'updated' : 'unchanged', fields };
}
