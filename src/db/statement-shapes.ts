import {
  type Compilable,
  type CompiledQuery,
  createQueryId,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type RootOperationNode,
} from 'kysely';
import type { Database } from './schema.ts';

// Building a Kysely query and compiling it to SQL costs ~70–120 µs of CPU for the incident writes'
// multi-CTE statements (a transition, a note), on every request, to produce the same SQL text each
// time: only the values differ. A StatementShapes builds such a statement once per shape, with a
// stand-in (Slot) for each argument field, keeps its SQL and where each field goes among the
// parameters, and afterwards only fills the parameters in.
//
// The shape is what the SQL text depends on besides the values: which fields of each argument are
// defined (Kysely leaves undefined columns out of a SET or VALUES, and `?? null` turns a missing one
// into a constant) — part of the key automatically — and whatever else the builder branches on, which
// the caller names in `variant`, which the builder is given (it must read nothing else of its
// arguments but to place them as values).

class Slot {
  constructor(
    readonly arg: number,
    readonly key: string,
  ) {}
}

type Param = { slot: Slot } | { constant: unknown };

interface Template {
  sql: string;
  query: RootOperationNode;
  params: Param[];
}

type Args = readonly Readonly<Record<string, unknown>>[];

export class StatementShapes<A extends Args, R> {
  readonly #templates = new Map<string, Template>();

  constructor(private readonly build: (variant: string, ...args: A) => Compilable<R>) {}

  /** The compiled statement for these arguments (one flat record each), its SQL built once per shape. */
  compiled(variant: string, args: A): CompiledQuery<R> {
    let key = variant;
    for (const a of args) {
      key += '|';
      for (const k in a) if (a[k] !== undefined) key += `${k},`;
    }
    let template = this.#templates.get(key);
    if (!template) {
      template = this.#compile(variant, args);
      this.#templates.set(key, template);
    }
    const parameters = template.params.map((p) =>
      'slot' in p ? (args[p.slot.arg] as Record<string, unknown>)[p.slot.key] : p.constant,
    );
    return { sql: template.sql, query: template.query, parameters, queryId: createQueryId() };
  }

  #compile(variant: string, args: A): Template {
    const slotted = args.map((a, i) => {
      const s: Record<string, unknown> = {};
      for (const k in a) if (a[k] !== undefined) s[k] = new Slot(i, k);
      return s;
    }) as unknown as A;
    const compiled = this.build(variant, ...slotted).compile();
    const params = compiled.parameters.map((p): Param => {
      if (p instanceof Slot) return { slot: p };
      // A stand-in made into a string (JSON.stringify, a template) would go out as that string.
      if (typeof p === 'string' && p.includes('[object Object]'))
        throw new Error('StatementShapes: an argument field was transformed before it became a parameter');
      return { constant: p };
    });
    return { sql: compiled.sql, query: compiled.query, params };
  }
}

/** The Kysely a StatementShapes builder builds with: it only compiles, never connects. */
export const buildingDb = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});
