import type { Logger } from 'pino';
import type { Clock } from '../../db/clock.ts';
import type { Executor } from '../../db/schema.ts';
import { ingestAlertEvents } from '../alerts/ingest-alert-events.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import * as q from './queries.ts';

// The auditor: paging that silently stops is the worst failure an on-call tool can have, so Tocsin
// watches its own pipeline. A page still unsent two minutes after it was due, a page that failed for
// good, or an escalation step the engine has not run in time raises an alert on the self-monitoring
// service (TOCSIN_SELF_ALERT_SERVICE, when it exists) and shows on /health/detailed, which external
// monitoring can poll. When the problem is gone, the alert resolves.

/** How late a page or step may be before it counts as a problem (covers a slow poll and a retry). */
export const LATE_AFTER_MS = 120_000;
/** Failed pages of the last day count (a dead letter needs someone's eyes, then ages out). */
export const FAILED_WINDOW_MS = 24 * 3600_000;

export type PagingHealth = Awaited<ReturnType<typeof pagingHealthAt>>;

/** `deliverable`: the channels a provider serves here (pages of others cannot be late); all when absent. */
export function pagingHealthAt(db: Executor, now: Date, deliverable?: readonly string[] | undefined) {
  return q.pagingHealth(
    db,
    now,
    new Date(now.getTime() - LATE_AFTER_MS),
    new Date(now.getTime() - FAILED_WINDOW_MS),
    deliverable,
  );
}

/** How many of the latest pages/messages that reached nobody /health/detailed lists. */
export const UNROUTED_SHOWN = 5;

/**
 * Pages and messages whose recipients resolved to nobody: the count of the last 24 hours and the
 * latest few with incident and recipient, so an operator sees a group or role that names no one.
 */
export async function unroutedHealthAt(db: Executor, now: Date) {
  const { count, latest } = await q.unroutedSince(
    db,
    new Date(now.getTime() - FAILED_WINDOW_MS),
    UNROUTED_SHOWN,
  );
  return {
    count_24h: count,
    latest: latest.map((r) => ({
      at: r.at,
      incident_id: r.incident_id,
      recipient: r.recipient,
      what: r.what,
    })),
  };
}

interface Problem {
  key: string;
  summary: string | null;
}

export function problemsOf(h: PagingHealth): Problem[] {
  return [
    {
      key: 'tocsin:pages-overdue',
      summary:
        h.overduePages > 0
          ? `${h.overduePages} page(s) not handed to a provider 2+ minutes after due (oldest due ${h.oldestOverduePage?.toISOString()})`
          : null,
    },
    {
      key: 'tocsin:pages-failed',
      summary:
        h.failedPages > 0
          ? `${h.failedPages} page(s) failed for good in the last 24 hours (see GET /api/v1/outbox?status=failed)`
          : null,
    },
    {
      key: 'tocsin:escalations-late',
      summary:
        h.lateSteps > 0
          ? `${h.lateSteps} escalation step(s) 2+ minutes late: the engine is behind (oldest due ${h.oldestLateStep?.toISOString()})`
          : null,
    },
  ];
}

export interface AuditEnv {
  tx: Executor;
  now: Date;
  clock: Clock;
  log?: Logger | undefined;
  selfService: string | undefined;
  /** Keys this process last raised (to send each change once, not a repeat every tick). */
  raised: Set<string>;
  /** Send every state, changed or not (the first audit of a process: another one may have raised). */
  all?: boolean | undefined;
  /** What this process last logged per problem: a problem is logged when it changes, not every tick. */
  logged?: Map<string, string> | undefined;
  /** The channels a provider serves here; absent: every channel. */
  deliverable?: readonly string[] | undefined;
}

function logChanges(problems: Problem[], env: AuditEnv): void {
  const logged = env.logged;
  for (const p of problems) {
    const before = logged?.get(p.key);
    if (p.summary !== null && p.summary !== before) {
      env.log?.error({ problem: p.key }, p.summary);
      logged?.set(p.key, p.summary);
    } else if (p.summary === null && before !== undefined) {
      env.log?.info({ problem: p.key }, `resolved: ${before}`);
      logged?.delete(p.key);
    }
  }
}

/** Returns how many alerts changed state. */
export async function auditPaging(env: AuditEnv): Promise<number> {
  const health = await pagingHealthAt(env.tx, env.now, env.deliverable);
  const problems = problemsOf(health);
  logChanges(problems, env);
  const changes = env.all ? problems : problems.filter((p) => (p.summary !== null) !== env.raised.has(p.key));
  if (changes.length === 0 || !env.selfService) return 0;
  const service = await q.findServiceByName(env.tx, env.selfService);
  if (!service) return 0;
  await ingestAlertEvents({
    ctx: makeCtx({ db: env.tx, clock: env.clock, log: env.log }, SYSTEM_ACTOR),
    input: {
      integration: { id: null, service_id: service.id, name: 'tocsin-auditor', type: 'check' },
      events: changes.map((p) =>
        p.summary
          ? {
              action: 'trigger' as const,
              dedupKey: p.key,
              summary: p.summary,
              source: 'tocsin auditor',
              severity: 'critical' as const,
              details: { ...health },
              raw: { auditor: p.key },
            }
          : { action: 'resolve' as const, dedupKey: p.key, raw: { auditor: p.key } },
      ),
    },
  });
  for (const p of changes) {
    if (p.summary) env.raised.add(p.key);
    else env.raised.delete(p.key);
  }
  return changes.length;
}
