import pino from 'pino';
import { expect } from 'vitest';
import { readSources } from '../../src/cli/apply.ts';
import { VirtualClock } from '../../src/db/clock.ts';
import { applyDocuments } from '../../src/domain/config/apply-documents.ts';
import { makeCtx, SYSTEM_ACTOR } from '../../src/domain/context.ts';
import { nextEngineDue } from '../../src/domain/drills/next-due.ts';
import { declareIncident } from '../../src/domain/incidents/declare-incident.ts';
import { PlanCache } from '../../src/domain/workflows/plan-cache.ts';
import { Engine } from '../../src/engine/engine.ts';
import { engineModules } from '../../src/engine/modules.ts';
import type { OutboxModule } from '../../src/engine/outbox.ts';
import { asNotificationPayload } from '../../src/notify/message.ts';
import {
  type OutboundMessage,
  type Provider,
  providerRegistry,
} from '../../src/notify/providers/provider.ts';
import { freshDb, type TestDb } from '../helpers.ts';

// A smoke harness in the manner of GoAlert's: the real engine on a virtual clock, every provider
// replaced by one that records what it is handed, and a test that names every message it expects,
// in order of time. Any message not named fails the test: a page nobody expected is as much a bug as
// a page that never came.

const CHANNELS = ['email', 'sms', 'voice', 'push', 'slack', 'chat', 'webhook'];

export interface Delivered {
  /** Minutes since the harness's first incident was declared. */
  minute: number;
  line: string;
}

export class PagingHarness {
  readonly clock: VirtualClock;
  private readonly delivered: { at: Date; message: OutboundMessage }[] = [];
  private consumed = 0;
  private engine!: Engine;
  private outbox!: OutboxModule;
  private t!: TestDb;
  private origin: Date;
  /** The incidents declared here, whose timers the clock stops for (at()). */
  private readonly incidents: string[] = [];
  private readonly plans = new PlanCache();

  private constructor(start: string) {
    this.clock = new VirtualClock(start);
    this.origin = this.clock.now();
  }

  /** A fresh database with the given config files applied (users, schedules, plans …). */
  static async start(start: string, configPaths: string[]): Promise<PagingHarness> {
    const h = new PagingHarness(start);
    h.t = await freshDb();
    const ctx = makeCtx({ db: h.t.db, clock: h.clock }, SYSTEM_ACTOR);
    await applyDocuments({ ctx, input: { sources: readSources(configPaths), dryRun: false } });
    const recorder = (channel: string): Provider => ({
      channel,
      send: async (message) => {
        h.delivered.push({ at: h.clock.now(), message });
        return { providerId: `smoke-${message.id}` };
      },
    });
    const modules = engineModules({ providers: providerRegistry(CHANNELS.map(recorder)) });
    h.outbox = modules.find((m) => m.name === 'outbox') as OutboxModule;
    h.engine = new Engine({ db: h.t.db, clock: h.clock, log: pino({ level: 'silent' }) }, modules);
    return h;
  }

  get db() {
    return this.t.db;
  }

  ctx() {
    return makeCtx({ db: this.t.db, clock: this.clock }, SYSTEM_ACTOR);
  }

  async declare(plan: string, severity: string, title: string): Promise<string> {
    const incident = await declareIncident({ ctx: this.ctx(), input: { plan, severity, title } });
    this.origin = incident.declared_at;
    this.incidents.push(incident.id);
    await this.settle();
    return incident.id;
  }

  /**
   * Moves the clock to an absolute instant (each test starts at its own, so a test's expectations do
   * not depend on how far the tests before it moved the clock, nor on whether they ran at all).
   */
  async startAt(iso: string): Promise<void> {
    const at = new Date(iso);
    if (at < this.clock.now()) {
      throw new Error(`the clock is already past ${iso} (${this.clock.now().toISOString()})`);
    }
    this.clock.set(at);
    await this.settle();
  }

  /**
   * Moves the clock to `minute` minutes after the declaration as an engine ticking every minute would
   * see it, without the ticks that find nothing to do: the clock stops at the first minute at or after
   * the engine's next due time (a timer rule, due task, escalation step, delayed or throttled message:
   * nextEngineDue), so each message goes out at the minute a tick every minute would send it.
   */
  async at(minute: number): Promise<void> {
    const until = this.origin.getTime() + minute * 60_000;
    while (this.clock.now().getTime() < until) {
      const now = this.clock.now();
      const due = await nextEngineDue(this.db, this.plans, this.incidents, now);
      const intervals = Math.max(1, Math.ceil((due - now.getTime()) / 60_000));
      this.clock.set(new Date(Math.min(until, now.getTime() + intervals * 60_000)));
      await this.settle();
    }
  }

  /** Runs the engine until nothing is due and every send it started has been recorded. */
  async settle(): Promise<void> {
    for (let i = 0; i < 10; i++) {
      const sent = this.delivered.length;
      await this.engine.runUntilIdle();
      await this.outbox.idle();
      // Nothing went out: runUntilIdle's last pass found no work and nothing has happened since, so
      // another pass would find none either (most minutes of a test are such minutes).
      if (this.delivered.length === sent) return;
      const again = await this.engine.tick();
      if (again.every((o) => o.handled === 0)) return;
    }
  }

  /** Everything delivered since the last call, as "+<minute>m <channel> <destination> <kind>" lines. */
  private next(): string[] {
    // The incident's own Slack channel (plans with channel.platform: slack) hears of every key event:
    // those posts are src/domain/chat/incident-channel.test.ts's subject, not paging's.
    const fresh = this.delivered
      .slice(this.consumed)
      .filter(({ message }) => !(message.channel === 'chat' && message.destination.startsWith('#incident-')));
    this.consumed = this.delivered.length;
    return fresh.map(({ at, message }) => {
      const p = asNotificationPayload(message.payload);
      const minute = Math.round((at.getTime() - this.origin.getTime()) / 60_000);
      return `+${minute}m ${message.channel} ${message.destination} ${p.kind}${p.shadow ? ' shadow' : ''}`;
    });
  }

  /** Exactly these were delivered since the last check (any order within one minute), nothing else. */
  expectDelivered(lines: string[]): void {
    const got = this.next();
    const sortWithinMinute = (xs: string[]) =>
      [...xs].sort(
        (a, b) =>
          Number(a.split('m ')[0]?.slice(1)) - Number(b.split('m ')[0]?.slice(1)) || a.localeCompare(b),
      );
    expect(sortWithinMinute(got)).toEqual(sortWithinMinute(lines));
  }

  async close(): Promise<void> {
    await this.t.close();
  }
}
