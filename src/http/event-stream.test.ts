import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, addUser, auth, freshDb, type TestDb } from '../../test/helpers.ts';
import { VirtualClock } from '../db/clock.ts';
import { SESSION_COOKIE } from '../domain/auth/auth.ts';
import { setUserPassword } from '../domain/auth/set-user-password.ts';
import { makeCtx, SYSTEM_ACTOR } from '../domain/context.ts';
import { declareIncident } from '../domain/incidents/declare-incident.ts';
import { savePlan } from '../domain/plans/save-plan.ts';
import { bootstrapAdmin } from '../domain/users/bootstrap-admin.ts';
import { createToken } from '../domain/users/create-token.ts';
import { type EventHub, startEventHub } from './event-hub.ts';
import { createMetrics } from './metrics.ts';
import { type App, buildServer } from './server.ts';

// The live stream end to end: a real HTTP server on loopback, its EventHub LISTENing on the test
// database, and changes made through real operations — over the API, and directly as the CLI or the
// engine would (another connection, no HTTP) — arriving as events on the open stream.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: live }
languages: [en]
severities:
  - { id: SEV1, title: Critical, targets: { acknowledge: 5m } }
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
channel: { name: "incident-{date}-{slug}" }
`;

let t: TestDb;
let app: App;
let hub: EventHub;
let base: string;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
const tokens: Record<string, string> = {};
const ctx = () => makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);

beforeAll(async () => {
  t = await freshDb();
  await bootstrapAdmin(t.db, clock, ADMIN_TOKEN);
  await savePlan({ ctx: ctx(), input: { source: PLAN } });
  for (const role of ['viewer', 'responder'] as const) {
    await addUser(ctx(), role, { role });
    tokens[role] = (await createToken({ ctx: ctx(), input: { name: 'test', user: role } })).token;
  }
  hub = startEventHub(t.url);
  app = await buildServer({
    db: t.db,
    clock,
    log: pino({ level: 'silent' }),
    metrics: createMetrics(),
    publicUrl: 'http://tocsin.test',
    bodyLimit: 262_144,
    version: 'test',
    console: { events: hub, heartbeatMs: 100 },
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
  await hub.close();
  await t.close();
});

interface Frame {
  id?: string;
  event?: string;
  data?: Record<string, unknown>;
  comment?: string;
}

/** An open stream; next() reads frames until one matches and returns every frame read on the way. */
async function openStream(headers: Record<string, string>) {
  const res = await fetch(`${base}/api/v1/events/stream`, { headers });
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const frames: Frame[] = [];
  const pull = async (): Promise<boolean> => {
    if (!reader) return false;
    const { value, done } = await reader.read();
    if (done) return false;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of block.split('\n').filter((l) => l.startsWith(':')))
        frames.push({ comment: line.slice(1).trim() });
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      const id = /^id: (.*)$/m.exec(block)?.[1];
      if (event) frames.push({ event, data: data ? JSON.parse(data) : undefined, ...(id ? { id } : {}) });
      end = buffer.indexOf('\n\n');
    }
    return true;
  };
  return {
    res,
    /** Frames up to and including the first that matches; undefined at the end of the stream. */
    async until(match: (f: Frame) => boolean): Promise<Frame[] | undefined> {
      for (;;) {
        const at = frames.findIndex(match);
        if (at >= 0) return frames.splice(0, at + 1);
        if (!(await pull())) return undefined;
      }
    },
    close: () => reader?.cancel(),
  };
}

async function api(method: string, url: string, token: string, body?: unknown) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...auth(token), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : null,
  });
  return { status: res.status, body: (await res.json()) as Record<string, Record<string, string>> };
}

describe('GET /api/v1/events/stream', () => {
  it('refuses readers without a token, and answers text/event-stream to one with', async () => {
    expect((await fetch(`${base}/api/v1/events/stream`)).status).toBe(401);
    const stream = await openStream(auth(tokens.viewer as string));
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(await stream.until((f) => f.comment === 'connected')).toBeDefined();
    await stream.close();
  });

  it('streams an incident declared over the API, and a change made without HTTP', async () => {
    const stream = await openStream(auth(tokens.viewer as string));
    await stream.until((f) => f.comment === 'connected');
    const declared = await api('POST', '/api/v1/incidents', ADMIN_TOKEN, {
      title: 'Checkout down',
      severity: 'SEV1',
    });
    expect(declared.status).toBe(201);
    const id = declared.body.incident?.id;
    const seen = await stream.until((f) => f.event === 'incident.changed' && f.data?.id === id);
    expect(seen?.at(-1)?.data).toEqual({ kind: 'incident.changed', id });
    // The same change through the operation on the store, as the CLI or the engine makes it.
    const other = await declareIncident({ ctx: ctx(), input: { title: 'Search slow', severity: 'SEV1' } });
    const seenOther = await stream.until(
      (f) => f.event === 'incident.changed' && f.data?.id === String(other.id),
    );
    expect(seenOther).toBeDefined();
    await stream.close();
  });

  it('replays what a reconnecting reader missed after its Last-Event-ID, else says resync', async () => {
    const first = await openStream(auth(tokens.viewer as string));
    await first.until((f) => f.comment === 'connected');
    const a = await declareIncident({ ctx: ctx(), input: { title: 'Replay A', severity: 'SEV1' } });
    const seenA = await first.until((f) => f.event === 'incident.changed' && f.data?.id === String(a.id));
    const lastId = seenA?.at(-1)?.id;
    expect(lastId).toMatch(/^[0-9a-f]+-[0-9]+$/);
    await first.close();
    // Changes while nobody listens: the reconnecting reader gets them, in order, and no resync.
    const b = await declareIncident({ ctx: ctx(), input: { title: 'Replay B', severity: 'SEV1' } });
    const c = await declareIncident({ ctx: ctx(), input: { title: 'Replay C', severity: 'SEV1' } });
    // A third stream sees C arrive live, so both are in the process's buffer before the reconnect.
    const witness = await openStream(auth(tokens.viewer as string));
    await witness.until((f) => f.comment === 'connected');
    const d = await declareIncident({ ctx: ctx(), input: { title: 'Replay D', severity: 'SEV1' } });
    await witness.until((f) => f.event === 'incident.changed' && f.data?.id === String(d.id));
    await witness.close();
    const again = await openStream({ ...auth(tokens.viewer as string), 'last-event-id': lastId as string });
    const replayed = await again.until((f) => f.event === 'incident.changed' && f.data?.id === String(c.id));
    const ids = (replayed ?? []).filter((f) => f.event).map((f) => f.data?.id);
    expect(ids).toContain(String(b.id));
    expect(ids.indexOf(String(b.id))).toBeLessThan(ids.indexOf(String(c.id)));
    expect(ids).not.toContain(String(a.id));
    expect((replayed ?? []).some((f) => f.event === 'resync')).toBe(false);
    await again.close();
    // An id this process cannot replay (another instance's, or from before a restart): resync.
    for (const unknown of ['0000-1', 'garbage']) {
      const stale = await openStream({ ...auth(tokens.viewer as string), 'last-event-id': unknown });
      const frames = await stale.until((f) => f.event !== undefined);
      expect(frames?.at(-1)).toMatchObject({ event: 'resync' });
      await stale.close();
    }
  });

  it('streams an alert taken in at /v2/enqueue (PagerDuty Events API v2)', async () => {
    expect((await api('POST', '/api/v1/services', ADMIN_TOKEN, { name: 'payments' })).status).toBe(201);
    const integration = await api('POST', '/api/v1/services/payments/integrations', ADMIN_TOKEN, {
      type: 'pagerduty',
    });
    const stream = await openStream(auth(tokens.viewer as string));
    await stream.until((f) => f.comment === 'connected');
    const trigger = () =>
      fetch(`${base}/v2/enqueue`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          routing_key: integration.body.integration?.key,
          event_action: 'trigger',
          dedup_key: 'disk/db1',
          payload: { summary: 'Disk full on db1', source: 'db1', severity: 'critical' },
        }),
      });
    expect((await trigger()).status).toBe(202);
    const alert = await t.db
      .selectFrom('alerts')
      .select('id')
      .where('dedup_key', '=', 'disk/db1')
      .executeTakeFirstOrThrow();
    const seen = await stream.until((f) => f.event === 'alert.changed' && f.data?.id === alert.id);
    expect(seen?.at(-1)?.data).toMatchObject({ kind: 'alert.changed', id: alert.id });
    // A repeat only counts (the hot path of ingestion): no event. An acknowledgement is one.
    expect((await trigger()).status).toBe(202);
    expect((await api('POST', `/api/v1/alerts/${alert.id}/acknowledge`, ADMIN_TOKEN, {})).status).toBe(200);
    // A later visible change marks the end: between, exactly the acknowledgement's event.
    const marker = await api('POST', '/api/v1/incidents', ADMIN_TOKEN, { title: 'Marker', severity: 'SEV1' });
    const next = await stream.until(
      (f) => f.event === 'incident.changed' && f.data?.id === marker.body.incident?.id,
    );
    expect(next?.filter((f) => f.event === 'alert.changed')).toHaveLength(1);
    const row = await t.db
      .selectFrom('alerts')
      .select(['count', 'status'])
      .where('id', '=', alert.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ count: 2, status: 'acknowledged' });
    await stream.close();
  });

  it('shows pages to responders, not to viewers who are not paged', async () => {
    const viewer = await openStream(auth(tokens.viewer as string));
    const responder = await openStream(auth(tokens.responder as string));
    await viewer.until((f) => f.comment === 'connected');
    await responder.until((f) => f.comment === 'connected');
    const paged = await api('POST', '/api/v1/pages', ADMIN_TOKEN, {
      target: 'user:responder',
      message: 'disk full',
    });
    expect(paged.status).toBe(201);
    const pageId = paged.body.page?.id;
    expect(await responder.until((f) => f.event === 'page.changed' && f.data?.id === pageId)).toBeDefined();
    // A later change the viewer may see: everything before it arrived first, and held no page.
    const declared = await api('POST', '/api/v1/incidents', ADMIN_TOKEN, {
      title: 'Later',
      severity: 'SEV1',
    });
    const before = await viewer.until(
      (f) => f.event === 'incident.changed' && f.data?.id === declared.body.incident?.id,
    );
    expect(before?.filter((f) => f.event === 'page.changed')).toEqual([]);
    await viewer.close();
    await responder.close();
  });

  it('a change made through one instance reaches the streams of another', async () => {
    const otherHub = startEventHub(t.url);
    const other = await buildServer({
      db: t.db,
      clock,
      log: pino({ level: 'silent' }),
      metrics: createMetrics(),
      publicUrl: 'http://tocsin.test',
      bodyLimit: 262_144,
      version: 'test',
      console: { events: otherHub },
    });
    const otherBase = await other.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`${otherBase}/api/v1/events/stream`, { headers: auth(tokens.viewer as string) });
    const reader = res.body?.getReader();
    let text = '';
    const read = async (needle: string) => {
      while (!text.includes(needle)) text += new TextDecoder().decode((await reader?.read())?.value);
    };
    await read(': connected');
    const declared = await api('POST', '/api/v1/incidents', ADMIN_TOKEN, {
      title: 'Elsewhere',
      severity: 'SEV1',
    });
    const id = declared.body.incident?.id as string;
    await read(`"id":"${id}"`);
    expect(text).toContain(`event: incident.changed\ndata: {"kind":"incident.changed","id":"${id}"}`);
    await reader?.cancel();
    await other.close();
    await otherHub.close();
  });

  it('a rolled-back change sends nothing', async () => {
    const stream = await openStream(auth(tokens.viewer as string));
    await stream.until((f) => f.comment === 'connected');
    const bad = await api('POST', '/api/v1/incidents', ADMIN_TOKEN, { title: 'x', severity: 'SEV9' });
    expect(bad.status).toBe(400);
    const ok = await api('POST', '/api/v1/incidents', ADMIN_TOKEN, { title: 'Real', severity: 'SEV1' });
    const frames = await stream.until(
      (f) => f.event === 'incident.changed' && f.data?.id === ok.body.incident?.id,
    );
    expect(frames?.filter((f) => f.event)).toHaveLength(1);
    await stream.close();
  });

  it('sends heartbeats, and ends the stream when the session behind it ends', async () => {
    await setUserPassword({ ctx: ctx(), input: { user: 'viewer', password: 'viewer password 1' } });
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'viewer', password: 'viewer password 1' }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(cookie.startsWith(`${SESSION_COOKIE}=`)).toBe(true);
    const { csrf_token } = (await login.json()) as { csrf_token: string };
    const stream = await openStream({ cookie });
    expect(await stream.until((f) => f.comment === 'heartbeat')).toBeDefined();
    const out = await fetch(`${base}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf_token },
    });
    expect(out.status).toBe(204);
    // The next heartbeat finds the session ended and closes the stream.
    expect(await stream.until((f) => f.event === 'never')).toBeUndefined();
  });
});
