import type { Logger } from 'pino';
import type { Clock } from '../db/clock.ts';
import { LOCKS, tryAdvisoryXactLock, tryAdvisoryXactLockOnSchema } from '../db/locks.ts';
import type { Db, Executor } from '../db/schema.ts';
import type { Metrics } from '../http/metrics.ts';

export interface TickContext {
  /** The module's transaction: everything a tick changes commits or rolls back together. */
  tx: Executor;
  db: Db;
  clock: Clock;
  now: Date;
  log?: Logger | undefined;
  /**
   * The tick took a full batch: work may be left, run the module again at once. Only a module with
   * saysMore calls it; for the others any work handled means a rerun.
   */
  more(): void;
  /**
   * The tick runs in a pass for wake-ups (Engine.wokenPass, not a whole pass): the work they named is
   * what is new. What no wake-up announces (an alert resolved, a time come) is left to a whole pass,
   * which comes at least every poll interval.
   */
  woken: boolean;
  /**
   * Runs fn once the tick's transaction has committed, never when it rolls back: for what a module
   * remembers in memory about what its tick wrote (a rolled-back write remembered as done is never
   * written again).
   */
  afterCommit(fn: () => void): void;
}

/**
 * The kinds of committed work the NOTIFY tocsin_work payload names (triggers of migrations 0610, 0611
 * and 0760): new alerts, timeline events, escalations with a step due, messages to contacts
 * ('outbox') and to people to fan out ('messages'). '' (or a kind no module knows) asks for a whole
 * pass.
 */
export type WorkKind = 'alerts' | 'events' | 'escalations' | 'outbox' | 'messages';

export interface EngineModule {
  /** Stable small number: the module's advisory lock is LOCKS.engineModuleBase + id. */
  id: number;
  name: string;
  /** Does one round of work; returns how many items it handled (0 = idle). Must be idempotent. */
  tick(ctx: TickContext): Promise<number>;
  /** Work the module started outside its ticks (sends) finishes; called once by Engine.stop(). */
  stop?(): Promise<void>;
  /**
   * Work for this module was committed (NOTIFY tocsin_work naming it): start on it now, outside the
   * engine's pass (in a transaction of its own, under the module's lock), instead of when the pass
   * reaches the module. Only the outbox has it: delivery on commit.
   */
  woken?(deps: { db: Db; clock: Clock; log?: Logger | undefined }): void;
  /**
   * The kinds of committed work this module reacts to: a wake-up naming one of them runs it at once.
   * Without it the module runs only on the poll interval (timers: reminders, cadence, heartbeats,
   * checks, the auditor …), not on every commit's wake-up.
   */
  wakesOn?: readonly WorkKind[];
  /**
   * The module says when a tick may have left work behind (ctx.more(): a batch was full), so a tick
   * that handled a partial batch is not rerun to find nothing (a transaction, the lock, the claims:
   * 5 statements after each routed alert). What its work gives other modules to do comes with the
   * commit's wake-up. Without it, a tick that handled anything is rerun at once.
   */
  saysMore?: boolean;
  /**
   * In a pass for wake-ups (not a whole pass): whether the module still has the work they named.
   * False skips its tick (a transaction, the lock, its claims) when the module has done that work on
   * its own since (the outbox's delivery on commit). Without it the module runs.
   */
  wanted?(): Promise<boolean>;
  /**
   * Under a flood of this module's work: a tick that handled at least `atLeast` items (and did not
   * say more: a full batch drains at once) holds the engine's next pass until `ms` after that tick's
   * pass began, so the wake-ups of the commits meanwhile are answered by one larger tick instead of
   * one tick each. A tick's fixed cost (a transaction, its lock, its claims, a commit's WAL flush)
   * is then paid per `ms` instead of per commit; below `atLeast` (a steady 20 or 100 alerts a
   * second) nothing waits.
   */
  coalesce?: { atLeast: number; ms: number };
}

/** A tick's result when the store's schema is not this build's (EngineDeps.schemaVersion). */
const WRONG_SCHEMA = Symbol('wrong schema');

/** How often an idle module records its tick in engine_modules (what /health/detailed reads). */
const HEARTBEAT_MS = 1000;

export type TickOutcome = {
  module: string;
  outcome: 'ran' | 'skipped' | 'error';
  handled: number;
  /** Work may be left: run the module again at once (handled > 0, or the module said so: saysMore). */
  more: boolean;
};

export interface EngineDeps {
  db: Db;
  clock: Clock;
  log?: Logger | undefined;
  metrics?: Metrics | undefined;
  /**
   * The schema version (newest migration) this build is written for. When set, a pass runs only while
   * the store's schema is exactly that: during a rolling upgrade the new build migrates first, and
   * the old builds' engines stop acting instead of racing it with old rules (GoAlert gates its
   * processing lock the same way). Unset: no gate (tests, drills on a throwaway store).
   */
  schemaVersion?: string | undefined;
  /** Told what each pass of the loop start() runs did (which modules ran, what they handled). */
  onPass?: ((outcomes: TickOutcome[]) => void) | undefined;
}

/**
 * The engine: each tick runs every module in its own transaction under a try-lock, so any number of
 * instances can run it and a module's work is done by one of them at a time.
 */
export class Engine {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopping = false;
  private current: Promise<unknown> = Promise.resolve();
  private ticking = false;
  /** What woke the engine since its last pass began ('' = a whole pass). */
  private pending = new Set<string>();
  private loop: (() => Promise<void>) | undefined;
  private intervalMs = 1000;
  /** On the engine's clock (ms): when the next whole pass is due, however often wake-ups come. */
  private wholePassDueAt = Number.NEGATIVE_INFINITY;
  /** After a busy pass: the modules that found work ('whole': the pass was whole). */
  private again: Set<EngineModule> | 'whole' = new Set();
  /** The kinds some module reacts to; any other payload asks for a whole pass. */
  private readonly kinds: ReadonlySet<string>;
  /**
   * performance.now() before which no pass starts (a flood: EngineModule.coalesce). Real time, not
   * the engine's clock: it spaces out work, it does not decide anything.
   */
  private heldUntil = 0;
  private readonly byName: ReadonlyMap<string, EngineModule>;

  constructor(
    private readonly deps: EngineDeps,
    private readonly modules: EngineModule[],
  ) {
    const ids = new Set(modules.map((m) => m.id));
    if (ids.size !== modules.length) throw new Error('engine modules need distinct ids');
    this.kinds = new Set(modules.flatMap((m) => m.wakesOn ?? []));
    this.byName = new Map(modules.map((m) => [m.name, m]));
  }

  /**
   * Per module, what this process last wrote to engine_modules: a tick, idle or busy, records itself
   * only once a second (HEARTBEAT_MS), adding the ticks it did not record, instead of one more
   * statement in every module's every pass (13 per pass when an engine drains a queue or is woken
   * often).
   */
  private readonly recorded = new Map<string, { at: number; unrecorded: number; error: boolean }>();

  async tickModule(module: EngineModule, woken = false): Promise<TickOutcome> {
    const { db, clock, log } = this.deps;
    const started = Date.now();
    const last = this.recorded.get(module.name);
    let wrote = false;
    let said = false;
    const more = () => {
      said = true;
    };
    const committed: (() => void)[] = [];
    const afterCommit = (fn: () => void) => {
      committed.push(fn);
    };
    try {
      const result = await db.transaction().execute(async (tx) => {
        const lock = LOCKS.engineModuleBase + module.id;
        if (this.deps.schemaVersion === undefined) {
          if (!(await tryAdvisoryXactLock(tx, lock))) return null;
        } else {
          // The schema gate, in the lock's round trip: checked inside the transaction that acts.
          const { locked, schema } = await tryAdvisoryXactLockOnSchema(tx, lock);
          if (!this.schemaMatches(schema)) return WRONG_SCHEMA;
          if (!locked) return null;
        }
        const now = clock.now();
        const handled = await module.tick({ tx, db, clock, now, log, more, woken, afterCommit });
        // A busy tick too records itself only when the heartbeat is due: a module draining a queue,
        // or woken by every commit, paid one more statement per tick for a row read once a second.
        if (!last || last.error || Date.now() - last.at >= HEARTBEAT_MS) {
          const ticks = String((last?.unrecorded ?? 0) + 1);
          await tx
            .insertInto('engine_modules')
            .values({
              module: module.name,
              last_tick_at: now,
              last_duration_ms: Date.now() - started,
              last_error: null,
              ticks,
            })
            .onConflict((oc) =>
              oc.column('module').doUpdateSet((eb) => ({
                last_tick_at: now,
                last_duration_ms: Date.now() - started,
                last_error: null,
                ticks: eb('engine_modules.ticks', '+', ticks),
              })),
            )
            .execute();
          wrote = true;
        }
        return handled;
      });
      for (const fn of committed) fn();
      if (result === WRONG_SCHEMA)
        return { module: module.name, outcome: 'skipped', handled: 0, more: false };
      if (result !== null) {
        this.recorded.set(
          module.name,
          wrote
            ? { at: Date.now(), unrecorded: 0, error: false }
            : { at: last?.at ?? 0, unrecorded: (last?.unrecorded ?? 0) + 1, error: false },
        );
      }
      const outcome = result === null ? 'skipped' : 'ran';
      this.deps.metrics?.engineTicks.inc({ module: module.name, outcome });
      const handled = result ?? 0;
      return { module: module.name, outcome, handled, more: module.saysMore ? said : handled > 0 };
    } catch (error) {
      log?.error({ err: error, module: module.name }, 'engine module failed');
      // The next tick that works clears the recorded error at once.
      this.recorded.set(module.name, { at: 0, unrecorded: last?.unrecorded ?? 0, error: true });
      this.deps.metrics?.engineTicks.inc({ module: module.name, outcome: 'error' });
      await db
        .insertInto('engine_modules')
        .values({ module: module.name, last_error: String(error) })
        .onConflict((oc) => oc.column('module').doUpdateSet({ last_error: String(error) }))
        .execute()
        .catch(() => {});
      return { module: module.name, outcome: 'error', handled: 0, more: false };
    }
  }

  /** One pass over every module (none while the store's schema is not this build's). */
  async tick(): Promise<TickOutcome[]> {
    return this.passOver(this.modules);
  }

  private async passOver(modules: readonly EngineModule[], woken = false): Promise<TickOutcome[]> {
    const out: TickOutcome[] = [];
    for (const module of modules) {
      // A store migrated for another build: the rest of the pass is skipped without asking again.
      if (this.schemaWarned !== undefined && out.length > 0) {
        out.push({ module: module.name, outcome: 'skipped', handled: 0, more: false });
      } else {
        out.push(await this.tickModule(module, woken));
      }
    }
    return out;
  }

  /**
   * The pass for what woke the engine: only the modules that react to those kinds of work (in their
   * pipeline order) and those the last pass found busy, unless a whole pass is asked for ('', an
   * unknown kind, nothing: the poll), follows a busy whole pass, or is due on the clock (every
   * intervalMs, however often wake-ups come: a timer module's due work waits no longer than the
   * poll interval, as before). An idle module costs a transaction, so the NOTIFY of every ingest
   * commit no longer runs a dozen timer modules that have nothing to do. What a busy module's work
   * gives the others to do is committed with its NOTIFY, which wakes them.
   */
  async wokenPass(woken: ReadonlySet<string>): Promise<TickOutcome[]> {
    const again = this.again;
    this.again = new Set();
    const now = this.deps.clock.now().getTime();
    if (
      again === 'whole' ||
      (woken.size === 0 && again.size === 0) || // the poll
      now >= this.wholePassDueAt ||
      [...woken].some((k) => !this.kinds.has(k))
    ) {
      this.wholePassDueAt = now + this.intervalMs;
      const outcomes = await this.tick();
      if (outcomes.some((o) => o.more)) this.again = 'whole';
      return outcomes;
    }
    const modules: EngineModule[] = [];
    for (const m of this.modules) {
      if (again.has(m)) modules.push(m);
      else if (m.wakesOn?.some((k) => woken.has(k)) && (!m.wanted || (await m.wanted()))) modules.push(m);
    }
    const outcomes = await this.passOver(modules, true);
    this.again = new Set(modules.filter((_, i) => outcomes[i]?.more));
    return outcomes;
  }

  /** The last pass found work: its busy modules (or a whole pass) run again at once, to drain it. */
  get busy(): boolean {
    return this.again === 'whole' || this.again.size > 0;
  }

  /** The schema version last found that is not this build's (undefined: it matched). */
  private schemaWarned: string | undefined;

  /** Whether the store's schema is this build's (a module's lock statement read `applied`). */
  private schemaMatches(applied: string): boolean {
    const expected = this.deps.schemaVersion;
    if (expected === undefined || applied === expected) {
      this.schemaWarned = undefined;
      return true;
    }
    // Said once per change, not every pass.
    if (this.schemaWarned !== applied) {
      this.schemaWarned = applied;
      this.deps.log?.warn(
        { expected, applied },
        applied > expected
          ? 'a newer Tocsin migrated the store: this engine stops acting; upgrade or stop this instance'
          : 'the store is not migrated to this build yet: the engine waits',
      );
    }
    return false;
  }

  /** Ticks until no module has work left (drills and tests, after moving the virtual clock). */
  async runUntilIdle(maxPasses = 50): Promise<void> {
    for (let pass = 0; pass < maxPasses; pass++) {
      const outcomes = await this.tick();
      if (outcomes.every((o) => o.handled === 0)) return;
    }
    throw new Error(`engine still busy after ${maxPasses} passes`);
  }

  /**
   * Runs a whole pass every intervalMs, and at once when woken (wake(): the modules that react to the
   * work named) or when the last pass found work (the modules that found it, or a whole pass after
   * a whole one: a busy engine drains its queues instead of taking one bite per interval).
   */
  start(intervalMs: number): void {
    if (this.running) return;
    this.running = true;
    this.intervalMs = intervalMs;
    const loop = async () => {
      this.timer = undefined;
      if (this.stopping) return;
      const woken = this.pending;
      this.pending = new Set();
      this.ticking = true;
      const began = performance.now();
      const pass = this.wokenPass(woken);
      this.current = pass;
      const outcomes = await pass.catch(() => []);
      this.ticking = false;
      this.heldUntil = began + holdAfter(outcomes, this.byName);
      this.deps.onPass?.(outcomes);
      if (this.stopping) return;
      const dueIn = this.wholePassDueAt - this.deps.clock.now().getTime();
      const held = Math.max(0, this.heldUntil - performance.now());
      const now = this.pending.size > 0 || this.busy;
      this.timer = setTimeout(loop, now ? held : Math.max(held, Math.min(intervalMs, dueIn)));
    };
    this.loop = loop;
    this.timer = setTimeout(loop, 0);
  }

  /**
   * New work was committed (NOTIFY tocsin_work, or this process knows): run the modules that react to
   * it now. `what` is the kind of work (a WorkKind) the notification names, '' for a whole pass; a
   * module of that name with woken() starts on it at once, apart from the pass (the outbox).
   */
  wake(what = ''): void {
    if (!this.running || this.stopping) return;
    if (what) this.modules.find((m) => m.name === what)?.woken?.(this.deps);
    this.pending.add(what);
    if (this.ticking) return;
    if (this.timer && this.loop) {
      clearTimeout(this.timer);
      this.timer = setTimeout(this.loop, Math.max(0, this.heldUntil - performance.now()));
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current.catch(() => {});
    await Promise.allSettled(this.modules.map((m) => m.stop?.()));
    this.running = false;
  }
}

/**
 * How long after a pass began the next may start: a module's flood (EngineModule.coalesce) holds it,
 * unless some module left work (a full batch drains at once).
 */
export function holdAfter(
  outcomes: readonly TickOutcome[],
  modules: ReadonlyMap<string, Pick<EngineModule, 'coalesce'>>,
): number {
  let hold = 0;
  for (const o of outcomes) {
    if (o.more) return 0;
    const c = modules.get(o.module)?.coalesce;
    if (c && o.outcome === 'ran' && o.handled >= c.atLeast) hold = Math.max(hold, c.ms);
  }
  return hold;
}
