import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../test/helpers.ts';
import { VirtualClock } from '../db/clock.ts';
import { makeCtx, SYSTEM_ACTOR } from '../domain/context.ts';
import { createIntegration } from '../domain/services/create-integration.ts';
import { saveService } from '../domain/services/save-service.ts';
import { providerRegistry } from '../notify/providers/provider.ts';
import { Engine, type EngineModule, type TickOutcome } from './engine.ts';
import { engineModules } from './modules.ts';

// A wake-up runs the modules that react to the kind of work it names; the timer modules run on the
// poll interval, on the engine's clock, however often wake-ups come. The real modules, a virtual
// clock, a poll interval of an hour: every pass here is one a wake-up asked for.

const HOUR = 3_600_000;
const MINUTE = 60_000;
let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');

beforeAll(async () => {
  t = await freshDb();
});
afterAll(() => t.close());

describe('engine wake-ups by kind of work', () => {
  it('runs only alert routing for new alerts, and the timer modules on their interval', async () => {
    // A heartbeat (every 5m, 1m grace) that never pings: work for the heartbeats timer module.
    const ctx = makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
    await saveService({ ctx, input: { service: { name: 'nightly-job' }, mode: 'create' } });
    await createIntegration({
      ctx,
      input: {
        service: 'nightly-job',
        type: 'heartbeat',
        name: 'cron',
        config: { interval: '5m', grace: '1m' },
      },
    });
    const passes: TickOutcome[][] = [];
    const waiters: (() => void)[] = [];
    const nextPass = () => new Promise<void>((resolve) => waiters.push(resolve));
    const push = { channel: 'push' as const, send: async () => ({ providerId: 'unused' }) };
    const modules = engineModules({ providers: providerRegistry([push]) });
    const engine = new Engine(
      {
        db: t.db,
        clock,
        onPass: (outcomes) => {
          passes.push(outcomes);
          for (const w of waiters.splice(0)) w();
        },
      },
      modules,
    );
    const ran = (pass: TickOutcome[] | undefined) => (pass ?? []).map((o) => o.module);
    const all = modules.map((m) => m.name);
    const silentAlerts = () =>
      t.db.selectFrom('alerts').select('id').where('dedup_key', 'like', 'heartbeat%').execute();

    let next = nextPass();
    engine.start(HOUR);
    await next; // every start begins with a whole pass
    expect(ran(passes[0])).toEqual(all);
    expect(all).toEqual(expect.arrayContaining(['heartbeats', 'workflow-timers', 'auditor']));

    next = nextPass();
    engine.wake('alerts');
    await next;
    expect(ran(passes[1])).toEqual(['alert-rules']);

    // The heartbeat is overdue now, but the poll interval has not passed: alert wake-ups, however
    // many, do not run the heartbeats module.
    clock.advance(10 * MINUTE);
    next = nextPass();
    engine.wake('alerts');
    await next;
    expect(ran(passes[2])).toEqual(['alert-rules']);
    next = nextPass();
    engine.wake('events');
    await next;
    expect(ran(passes[3])).toEqual(['workflow-events']);
    next = nextPass();
    engine.wake('outbox');
    await next;
    expect(ran(passes[4])).toEqual(['outbox']);
    expect(await silentAlerts()).toEqual([]);

    // An interval after the last whole pass, the next wake-up's pass is whole: the heartbeat's
    // silence is found, and routed in the same pass.
    clock.advance(HOUR);
    next = nextPass();
    engine.wake('alerts');
    await next;
    expect(ran(passes[5])).toEqual(all);
    expect(passes[5]?.find((o) => o.module === 'heartbeats')).toMatchObject({ outcome: 'ran', handled: 1 });
    expect(await silentAlerts()).toHaveLength(1);

    const seen = passes.length;
    await engine.stop();
    const later = passes.slice(seen);
    // The pass after a busy one (the heartbeat's) is whole again, until idle; nothing else ran.
    for (const pass of later) expect(ran(pass)).toEqual(all);
  });

  it('runs again at once only the modules a woken pass found busy', async () => {
    let queued = 0;
    const route = () => {
      if (queued === 0) return 0;
      queued--;
      return 1;
    };
    const module = (id: number, name: string, tick: () => number, wakesOn?: ['alerts']): EngineModule => ({
      id,
      name,
      tick: async () => tick(),
      ...(wakesOn ? { wakesOn } : {}),
    });
    const modules = [
      // Routes one queued alert a tick: busy twice, then idle.
      module(1, 'router', route, ['alerts']),
      module(2, 'idle-router', () => 0, ['alerts']),
      module(3, 'reminders', () => 0),
    ];
    const passes: string[][] = [];
    const waiters: [number, () => void][] = [];
    const afterPasses = (n: number) => new Promise<void>((resolve) => waiters.push([n, resolve]));
    const engine = new Engine(
      {
        db: t.db,
        clock,
        onPass: (outcomes) => {
          passes.push(outcomes.map((o) => o.module));
          for (const [n, resolve] of waiters) if (passes.length >= n) resolve();
        },
      },
      modules,
    );
    let next = afterPasses(1);
    engine.start(HOUR);
    await next;
    next = afterPasses(4);
    queued = 2;
    engine.wake('alerts');
    await next;
    await engine.stop();
    expect(passes).toEqual([
      ['router', 'idle-router', 'reminders'],
      // busy: handled one; the next pass is the router alone until it finds nothing
      ['router', 'idle-router'],
      ['router'],
      ['router'],
    ]);
    expect(queued).toBe(0);
  });

  it('runs a module that says when its batch was full (saysMore) again only when it was', async () => {
    // Three queued alerts, claimed two at a time: full, then partial (one), then nothing to run.
    let queued = 3;
    const claims: number[] = [];
    const batched: EngineModule = {
      id: 1,
      name: 'batched',
      wakesOn: ['alerts'],
      saysMore: true,
      tick: async ({ more }) => {
        const took = Math.min(2, queued);
        queued -= took;
        claims.push(took);
        if (took === 2) more();
        return took;
      },
    };
    const passes: string[][] = [];
    const waiters: [number, () => void][] = [];
    const afterPasses = (n: number) => new Promise<void>((resolve) => waiters.push([n, resolve]));
    const engine = new Engine(
      {
        db: t.db,
        clock,
        onPass: (outcomes) => {
          passes.push(outcomes.map((o) => o.module));
          for (const [n, resolve] of waiters) if (passes.length >= n) resolve();
        },
      },
      [batched],
    );
    let next = afterPasses(1);
    engine.start(HOUR);
    await next; // the start's whole pass takes two (full: again at once) …
    next = afterPasses(2);
    await next; // … and the last one: a partial claim, not run again
    expect(engine.busy).toBe(false);
    await engine.stop();
    expect(claims).toEqual([2, 1]);
    expect(queued).toBe(0);
  });

  it('runs a whole pass for a wake-up of a kind no module reacts to', async () => {
    const passes: string[][] = [];
    const waiters: (() => void)[] = [];
    const nextPass = () => new Promise<void>((resolve) => waiters.push(resolve));
    const modules = engineModules({ deliver: false });
    const engine = new Engine(
      {
        db: t.db,
        clock,
        onPass: (outcomes) => {
          passes.push(outcomes.map((o) => o.module));
          for (const w of waiters.splice(0)) w();
        },
      },
      modules,
    );
    let next = nextPass();
    engine.start(HOUR);
    await next;
    next = nextPass();
    engine.wake('alerts');
    await next;
    next = nextPass();
    engine.wake('something-new');
    await next;
    await engine.stop();
    const all = modules.map((m) => m.name);
    expect(passes.slice(0, 3)).toEqual([all, ['alert-rules'], all]);
  });
});
