import type { ServerHandle } from '../../scripts/lib/tocsin-process.ts';
import type { Received } from './ntfy-recorder.ts';
import { call, type SystemDb, until } from './support.ts';

// The paging scenario of test/system/paging-reliability.test.ts: four people reached by ntfy push, a
// plan whose SEV1 pages a three-step escalation policy (two people, then one, then one; 8 s, 5 s, 2 s),
// incidents declared through the API, some acknowledged along the way; and the checks that every
// page a person had to get arrived exactly once, never before it was due and not too late.

/**
 * Each step's `escalateAfter`. Step 1 waits long: an incident is acknowledged after step 1 only once
 * its step-1 pages have all arrived with step 2 still ACK_MARGIN_MS away, and at load 20 those pages
 * arrived more than 3 s late, so with 3 s no incident was ever acknowledged after step 1 (CI saw it).
 * Step 2 waits longer than step 3: the tests acknowledge incidents whose step-2 page was held up by a
 * stall or a killed instance, which needs step 3 not to be due yet however long the stall lasted.
 */
export const ESCALATE_AFTER_MS = [8_000, 5_000, 2_000] as const;
/** Who each step pages: every step has people of its own, so a topic tells the step. */
export const STEP_USERS = [['ana', 'ben'], ['cyd'], ['dee']] as const;
const PEOPLE = STEP_USERS.flat();

export const topicOf = (handle: string) => `page-${handle}`;

function userDocument(handle: string): string {
  return `apiVersion: tocsin.dev/v1
kind: User
metadata: { name: ${handle} }
spec:
  name: ${handle}
  email: ${handle}@example.com
  role: responder
  contacts:
    - { kind: push, address: ${topicOf(handle)}, label: phone, verified: true }
  notificationRules:
    - { contact: phone, after: 0m }
`;
}

const PLAN = `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: paging }
severities:
  - { id: SEV1, title: Outage, page: { policy: tiered } }
groups:
  - { id: tier1, title: First line, users: [${STEP_USERS[0].join(', ')}] }
  - { id: tier2, title: Second line, users: [${STEP_USERS[1].join(', ')}] }
  - { id: tier3, title: Third line, users: [${STEP_USERS[2].join(', ')}] }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
escalationPolicies:
  - id: tiered
    steps:
      - { notify: [tier1], escalateAfter: ${ESCALATE_AFTER_MS[0] / 1000}s }
      - { notify: [tier2], escalateAfter: ${ESCALATE_AFTER_MS[1] / 1000}s }
      - { notify: [tier3], escalateAfter: ${ESCALATE_AFTER_MS[2] / 1000}s }
`;

/** Applies the people (verified push contacts, one rule each) and the plan through POST /api/v1/apply. */
export async function applyPagingSetup(server: ServerHandle, token: string): Promise<void> {
  const content = [...PEOPLE.map(userDocument), PLAN].join('---\n');
  const res = await call(server, token, 'POST', '/api/v1/apply', {
    documents: [{ file: 'paging.yaml', content }],
  });
  if (res.status !== 200) throw new Error(`apply answered ${res.status}: ${JSON.stringify(res.json)}`);
}

export interface Declared {
  id: string;
  title: string;
  /** The ntfy title of its pages. */
  subject: string;
  /** Number of steps it must get (3, or fewer when acknowledged before the next one). */
  steps: number;
  ackAt?: number;
}

/**
 * Declares `count` SEV1 incidents through the servers (round robin), spread over about a second by
 * `workers` parallel clients, so escalation steps fall due all the time rather than in one burst.
 */
export async function declareIncidents(
  servers: ServerHandle[],
  token: string,
  count: number,
  workers = 5,
  titlePrefix = 'Paging',
): Promise<Declared[]> {
  const declared: Declared[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const title = `${titlePrefix} ${i}`;
      const server = servers[i % servers.length] as ServerHandle;
      const res = await call(server, token, 'POST', '/api/v1/incidents', {
        plan: 'paging',
        title,
        severity: 'SEV1',
      });
      if (res.status !== 201) throw new Error(`declare answered ${res.status}: ${JSON.stringify(res.json)}`);
      const id = String((res.json.incident as { id: string }).id);
      // A page's subject (push title) names the severity, the incident number and its title.
      declared[i] = { id, title, subject: `[SEV1] #${id} ${title}`, steps: STEP_USERS.length };
      await new Promise((r) => setTimeout(r, 60));
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return declared;
}

/** When the last page of `step` (1-based) for the incident arrived; undefined until all have. */
export function stepArrival(received: Received[], incident: Declared, step: number): number | undefined {
  const ours = received.filter((r) => r.title === incident.subject);
  let last = 0;
  for (const h of STEP_USERS[step - 1] ?? []) {
    const got = ours.find((r) => r.topic === topicOf(h));
    if (!got) return undefined;
    last = Math.max(last, got.at);
  }
  return last;
}

/** An acknowledgement needs this much time before the next step is due to have a definite outcome. */
const ACK_MARGIN_MS = 750;

/**
 * Whether the incident can be acknowledged after `step` with a definite outcome: the step's pages all
 * arrived, and the next step has not run and is not due for ACK_MARGIN_MS (read from the store). A
 * step that came late (held by a dead instance, a busy machine) leaves the next one little time, and
 * an acknowledgement then races a page already on its way, which rightly still goes out.
 */
export async function ackable(
  db: SystemDb,
  received: Received[],
  incident: Declared,
  step: number,
  /** Steps the escalation has run: `step`, or one more whose pages are held up (not received). */
  ran = step,
): Promise<'yes' | 'not yet' | 'never'> {
  const next = STEP_USERS[step] ?? [];
  if (received.some((r) => r.title === incident.subject && next.some((h) => r.topic === topicOf(h))))
    return 'never';
  if (stepArrival(received, incident, step) === undefined) return 'not yet';
  const [esc] = await db.rows<{ status: string; step: number; next_at: Date | null }>(
    'select status, step, next_at from escalations where incident_id = $1',
    [incident.id],
  );
  const left = esc?.next_at ? esc.next_at.getTime() - Date.now() : 0;
  return esc?.status === 'active' && esc.step === ran && left >= ACK_MARGIN_MS ? 'yes' : 'never';
}

/** Acknowledges through the API; false when the server did not answer (killed meanwhile). */
export async function acknowledge(
  server: ServerHandle,
  token: string,
  incident: Declared,
  afterStep: number,
  failures: string[],
): Promise<boolean> {
  const at = Date.now();
  const path = `/api/v1/incidents/${incident.id}/acknowledge`;
  const res = await call(server, token, 'POST', path, {}).catch(() => undefined);
  if (!res) return false;
  if (res.status !== 200) failures.push(`ack ${incident.title}: ${res.status} ${JSON.stringify(res.json)}`);
  incident.ackAt = at;
  incident.steps = afterStep;
  return true;
}

/**
 * Acknowledges each incident of `plan` (incident → the step after which it is acknowledged) as soon
 * as that step's pages have all arrived, through the given servers; runs until stop() is called. An
 * incident that cannot be acknowledged with a definite outcome stays unacknowledged (see ackable).
 */
export function acknowledgeAlong(
  db: SystemDb,
  servers: () => ServerHandle[],
  token: string,
  received: Received[],
  plan: Map<Declared, number>,
): { stop(): Promise<void>; failures: string[] } {
  const failures: string[] = [];
  let running = true;
  let sent = 0;
  const loop = (async () => {
    while (running) {
      for (const [incident, afterStep] of plan) {
        if (incident.ackAt !== undefined) continue;
        const can = await ackable(db, received, incident, afterStep).catch(() => 'not yet' as const);
        if (can === 'never') plan.delete(incident);
        if (can !== 'yes') continue;
        const choices = servers();
        // No answer (the instance was killed meanwhile): tried again, through another one.
        await acknowledge(
          choices[sent++ % choices.length] as ServerHandle,
          token,
          incident,
          afterStep,
          failures,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  return {
    failures,
    async stop() {
      running = false;
      await loop;
    },
  };
}

interface OutboxRow {
  id: string;
  incident_id: string;
  destination: string;
  status: string;
  attempts: number;
  created_at: Date;
  last_error: string | null;
  step: number;
  round: number;
  handle: string;
}

/**
 * Waits until no escalation is active and no push message waits or is being sent; answers what was
 * still open when it gave up (undefined: settled), for the test to report next to its checks.
 */
export async function waitUntilSettled(db: SystemDb, timeoutMs: number): Promise<string | undefined> {
  const open = () =>
    db.rows<{ what: string }>(
      `select 'escalation ' || id || ' of incident ' || incident_id || ' at step ' || step as what
         from escalations where status = 'active'
       union all
       select 'outbox ' || id || ' ' || status || ' (attempts ' || attempts || ', due ' || next_attempt_at || ')'
         from outbox where channel = 'push' and status in ('pending', 'sending')`,
    );
  try {
    await until('paging to finish', async () => (await open()).length === 0, timeoutMs, 100);
    return undefined;
  } catch {
    const left = (await open()).map((r) => r.what);
    return `not settled after ${timeoutMs} ms: ${left.slice(0, 20).join('; ')}`;
  }
}

export interface Bounds {
  /** Largest lateness allowed for a message sent on its first claim. */
  firstClaimMs: number;
  /** Largest lateness allowed for a message whose first claim was lost (reclaimed after the lease). */
  reclaimedMs: number;
}

export interface Report {
  problems: string[];
  messages: number;
  reclaimed: number;
  /** Largest lateness (arrival − due) of messages sent on their first claim, and of reclaimed ones. */
  maxLateFirstMs: number;
  maxLateReclaimedMs: number;
  p50LateMs: number;
  p95LateMs: number;
  /** Deliveries per recorder (instance). */
  byInstance: Record<string, number>;
}

/** The (incident, step, person) pages each incident must get: its steps until its acknowledgement. */
function requiredPages(incidents: Declared[]): Set<string> {
  const out = new Set<string>();
  for (const inc of incidents) {
    for (let s = 1; s <= inc.steps; s++) {
      for (const h of STEP_USERS[s - 1] ?? []) out.add(`${inc.subject}|${s}|${h}`);
    }
  }
  return out;
}

/**
 * Every check of the scenario, collected as problems (so a failure lists them all): the pages the
 * recorders accepted against the ones required (exactly once each, by outbox id and by incident,
 * step and person), against the outbox rows, and each message's lateness against its due time.
 */
export async function checkDeliveries(
  db: SystemDb,
  incidents: Declared[],
  received: Received[],
  bounds: Bounds,
): Promise<Report> {
  const problems: string[] = [];
  const rows = await db.rows<OutboxRow>(
    `select o.id::text as id, o.incident_id::text as incident_id, o.destination, o.status, o.attempts,
            o.created_at, o.last_error, (o.payload->'escalation'->>'step')::int as step,
            (o.payload->'escalation'->>'round')::int as round, u.handle
       from outbox o join users u on u.id = o.user_id
      where o.channel = 'push'`,
  );
  const started = await db.rows<{ incident_id: string; started_at: Date; status: string }>(
    `select incident_id::text as incident_id, started_at, status from escalations`,
  );
  const byIncident = new Map(incidents.map((i) => [i.id, i]));
  const rowById = new Map(rows.map((r) => [r.id, r]));

  // The outbox: one row per required page, each sent; a page queued before an acknowledgement that
  // made it unneeded is cancelled.
  const required = requiredPages(incidents);
  const rowKeys = new Map<string, OutboxRow[]>();
  for (const r of rows) {
    const inc = byIncident.get(r.incident_id);
    const key = `${inc?.subject ?? `unknown incident ${r.incident_id}`}|${r.step}|${r.handle}`;
    rowKeys.set(key, [...(rowKeys.get(key) ?? []), r]);
    const status = required.has(key) ? 'sent' : 'cancelled';
    if (r.status !== status) {
      const why = r.last_error ? ` (${r.last_error})` : '';
      const ack = inc?.ackAt ? `, acknowledged at ${inc.ackAt}` : '';
      problems.push(`outbox ${r.id} (${key}) is ${r.status}${why}, not ${status}${ack}`);
    }
    if (r.round !== 1) problems.push(`outbox ${r.id} (${key}) is of round ${r.round}`);
    if (r.destination !== topicOf(r.handle)) problems.push(`outbox ${r.id} went to ${r.destination}`);
  }
  for (const [key, list] of rowKeys) {
    if (list.length > 1) problems.push(`queued ${list.length} times: ${key}`);
  }
  for (const key of required) if (!rowKeys.has(key)) problems.push(`never queued: ${key}`);

  // The receivers: each outbox id exactly once, each required page exactly once, nothing else.
  const timesById = new Map<string, Received[]>();
  for (const r of received) timesById.set(r.outboxId, [...(timesById.get(r.outboxId) ?? []), r]);
  for (const [id, list] of timesById) {
    if (list.length > 1) {
      const where = list.map((r) => `${r.via}@${r.at}`).join(', ');
      const row = rowById.get(id);
      const claims = row ? `; ${row.attempts} claim(s), queued at ${row.created_at.getTime()}` : '';
      problems.push(`outbox ${id} received ${list.length} times (${where}${claims})`);
    }
    if (!rowById.has(id)) problems.push(`received a message of no push outbox row: ${id}`);
  }
  const gotPages = new Map<string, number>();
  for (const r of received) {
    const row = rowById.get(r.outboxId);
    const key = `${r.title}|${row?.step ?? '?'}|${r.topic.replace(/^page-/, '')}`;
    gotPages.set(key, (gotPages.get(key) ?? 0) + 1);
  }
  for (const key of required) {
    const n = gotPages.get(key) ?? 0;
    if (n !== 1) problems.push(`page ${key} received ${n} times`);
  }
  for (const key of gotPages.keys()) if (!required.has(key)) problems.push(`received a page not due: ${key}`);

  // Acknowledged incidents: nothing arrives after the acknowledgement was asked for.
  for (const inc of incidents) {
    if (inc.ackAt === undefined) continue;
    const late = received.filter((r) => r.title === inc.subject && r.at > (inc.ackAt as number));
    if (late.length > 0) problems.push(`${inc.title} got ${late.length} page(s) after its acknowledgement`);
  }

  // Timing: a step is due the previous step's `escalateAfter` after it ran (the first when paging started);
  // it runs no earlier, and its messages arrive within the bounds.
  const firstSeen = new Map<string, Received>();
  for (const r of received) if (!firstSeen.has(r.outboxId)) firstSeen.set(r.outboxId, r);
  const ranAt = new Map<string, number>(); // incident|step → when the step ran
  for (const r of rows) ranAt.set(`${r.incident_id}|${r.step}`, r.created_at.getTime());
  for (const s of started) ranAt.set(`${s.incident_id}|0`, s.started_at.getTime());
  const late = { first: [] as number[], reclaimed: [] as number[] };
  for (const r of rows) {
    const previous = ranAt.get(`${r.incident_id}|${r.step - 1}`);
    const got = firstSeen.get(r.id);
    if (previous === undefined || !got) continue;
    const due = previous + (r.step === 1 ? 0 : (ESCALATE_AFTER_MS[r.step - 2] ?? 0));
    const what = `outbox ${r.id} (incident ${r.incident_id} step ${r.step})`;
    if (r.created_at.getTime() < due)
      problems.push(`${what} queued ${due - r.created_at.getTime()} ms early`);
    if (got.at < due) problems.push(`${what} arrived ${due - got.at} ms early`);
    const lateness = got.at - due;
    const reclaimed = r.attempts > 1;
    (reclaimed ? late.reclaimed : late.first).push(lateness);
    const bound = reclaimed ? bounds.reclaimedMs : bounds.firstClaimMs;
    if (lateness > bound) problems.push(`${what} arrived ${lateness} ms after due (bound ${bound} ms)`);
  }
  const all = [...late.first, ...late.reclaimed].sort((a, b) => a - b);
  const byInstance: Record<string, number> = {};
  for (const r of received) byInstance[r.via] = (byInstance[r.via] ?? 0) + 1;
  return {
    problems,
    messages: rows.length,
    reclaimed: late.reclaimed.length,
    maxLateFirstMs: Math.max(0, ...late.first),
    maxLateReclaimedMs: Math.max(0, ...late.reclaimed),
    p50LateMs: all[Math.floor(all.length / 2)] ?? 0,
    p95LateMs: all[Math.floor(all.length * 0.95)] ?? 0,
    byInstance,
  };
}
