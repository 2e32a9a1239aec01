import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import {
  type AlertFacts,
  MAX_REGEX_LENGTH,
  type Matcher,
  matcherMatches,
  parseMatcher,
  regexProblem,
  stateOf,
  suppresses,
} from './maintenance.ts';

const alert = (labels: Record<string, string>, extra: Partial<AlertFacts> = {}): AlertFacts => ({
  labels,
  service: 'payments',
  severity: 'critical',
  source: 'db-1',
  component: null,
  alert_group: null,
  alert_class: null,
  dedup_key: 'k',
  summary: 'Disk full',
  ...extra,
});
const m = (name: string, op: Matcher['op'], value: string): Matcher => ({ name, op, value });

describe('matchers', () => {
  it('match like Alertmanager’s: =, !=, anchored =~ and !~, a missing label reads as ""', () => {
    const a = alert({ env: 'prod', alertname: 'DiskFull' });
    expect(matcherMatches(m('env', '=', 'prod'), a)).toBe(true);
    expect(matcherMatches(m('env', '!=', 'prod'), a)).toBe(false);
    expect(matcherMatches(m('alertname', '=~', 'Disk.*'), a)).toBe(true);
    expect(matcherMatches(m('alertname', '=~', 'Disk'), a)).toBe(false);
    expect(matcherMatches(m('alertname', '=~', 'Full|DiskFull'), a)).toBe(true);
    expect(matcherMatches(m('alertname', '!~', 'Cpu.*'), a)).toBe(true);
    expect(matcherMatches(m('team', '=', ''), a)).toBe(true);
    expect(matcherMatches(m('team', '!=', ''), a)).toBe(false);
  });

  it('read the alert’s own fields for names it has no label of', () => {
    const a = alert({ source: 'from-label' }, { severity: 'warning', component: 'mysql' });
    expect(matcherMatches(m('severity', '=', 'warning'), a)).toBe(true);
    expect(matcherMatches(m('source', '=', 'from-label'), a)).toBe(true);
    expect(matcherMatches(m('component', '=', 'mysql'), a)).toBe(true);
    expect(matcherMatches(m('service', '=', 'payments'), a)).toBe(true);
    expect(matcherMatches(m('group', '=', ''), a)).toBe(true);
  });

  it('parse amtool’s spelling, quoted or not', () => {
    expect(parseMatcher('env=prod')).toEqual(m('env', '=', 'prod'));
    expect(parseMatcher('alertname=~"Disk.*"')).toEqual(m('alertname', '=~', 'Disk.*'));
    expect(parseMatcher('job != "a\\"b"')).toEqual(m('job', '!=', 'a"b'));
    expect(parseMatcher('x!~')).toEqual(m('x', '!~', ''));
    expect(parseMatcher('no operator')).toBeNull();
    expect(parseMatcher('9bad=x')).toBeNull();
  });

  it('refuse regular expressions that are too long, broken or can take exponential time', () => {
    expect(regexProblem('Disk.*|Cpu(High|Low)')).toBeNull();
    expect(regexProblem('(foo|bar)+baz')).toBeNull();
    expect(regexProblem('a'.repeat(MAX_REGEX_LENGTH + 1))).toMatch(/at most 256/);
    expect(regexProblem('(unclosed')).toMatch(/not a regular expression/);
    expect(regexProblem('(a+)+b')).toMatch(/exponential/);
    expect(regexProblem('(a*b*)*')).toMatch(/exponential/);
    expect(regexProblem('((ab)+c)*')).toMatch(/exponential/);
    expect(regexProblem('(x{2,})+')).toMatch(/exponential/);
    expect(regexProblem('[(a+)]+')).toBeNull();
    expect(regexProblem('\\(a+\\)+')).toBeNull();
    expect(regexProblem('(a)\\1')).toMatch(/backreferences/);
    expect(regexProblem('a(?=b)')).toMatch(/lookaround/);
  });
});

describe('when a suppression applies', () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 5, 9, minute));
  const window = {
    service_id: '7',
    matchers: [m('env', '=', 'prod')],
    starts_at: at(10),
    ends_at: at(40),
    ended_at: null,
  };
  const firing = (seen: number) => ({ ...alert({ env: 'prod' }), service_id: '7', first_seen_at: at(seen) });

  it('covers alerts of its service that arrived while it was active, even if decided after', () => {
    expect(suppresses(window, firing(20), at(20))).toBe(true);
    expect(suppresses(window, firing(39), at(45))).toBe(true);
    expect(suppresses(window, firing(40), at(41))).toBe(false);
    expect(suppresses(window, { ...firing(20), service_id: '8' }, at(20))).toBe(false);
    expect(suppresses({ ...window, service_id: null }, { ...firing(20), service_id: '8' }, at(20))).toBe(
      true,
    );
    expect(suppresses(window, { ...firing(20), labels: { env: 'dev' } }, at(20))).toBe(false);
  });

  it('covers an alert that arrived before it started only once it has started', () => {
    expect(suppresses(window, firing(5), at(9))).toBe(false);
    expect(suppresses(window, firing(5), at(12))).toBe(true);
  });

  it('stops when ended early', () => {
    const ended = { ...window, ended_at: at(15) };
    expect(suppresses(ended, firing(14), at(16))).toBe(true);
    expect(suppresses(ended, firing(16), at(16))).toBe(false);
    expect(stateOf(ended, at(16))).toBe('expired');
    expect(stateOf(window, at(5))).toBe('pending');
    expect(stateOf(window, at(10))).toBe('active');
  });
});

describe('the maintenance window and silence API', () => {
  let t: TestApp;
  let viewer: string;
  let responder: string;

  beforeAll(async () => {
    t = await testApp();
    viewer = await t.tokenFor('viewer');
    responder = await t.tokenFor('responder', 'oncall-olga');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/services',
      headers: auth(t.adminToken),
      payload: { name: 'payments' },
    });
    expect(res.statusCode).toBe(201);
  });
  afterAll(() => t.close());

  const post = (url: string, token: string, payload: unknown) =>
    t.app.inject({ method: 'POST', url, headers: auth(token), payload: payload as object });
  const get = (url: string, token = viewer) => t.app.inject({ method: 'GET', url, headers: auth(token) });
  const count = async () => (await t.db.selectFrom('suppressions').select('id').execute()).length;
  const auditOf = (entityType: string, entityId: string) =>
    t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('entity_type', '=', entityType)
      .where('entity_id', '=', entityId)
      .orderBy('id')
      .execute();

  const silence = {
    service: 'payments',
    matchers: [
      { name: 'env', value: 'prod' },
      { name: 'alertname', op: '=~', value: 'Disk.*' },
    ],
    duration: '2h',
    comment: 'moving the disks',
  };

  it('creates a silence for a responder, records who and why, and audits it', async () => {
    const res = await post('/api/v1/silences', responder, silence);
    expect(res.statusCode).toBe(201);
    const created = res.json().silence;
    const now = t.clock.now();
    expect(created).toMatchObject({
      kind: 'silence',
      service: 'payments',
      matchers: [
        { name: 'env', op: '=', value: 'prod' },
        { name: 'alertname', op: '=~', value: 'Disk.*' },
      ],
      starts_at: now.toISOString(),
      ends_at: new Date(now.getTime() + 2 * 3_600_000).toISOString(),
      ended_at: null,
      state: 'active',
      comment: 'moving the disks',
      created_by: 'oncall-olga',
    });
    const audit = await auditOf('silence', created.id);
    expect(audit.map((a) => [a.action, a.actor_name])).toEqual([['silence.created', 'oncall-olga']]);
    expect((await get(`/api/v1/silences/${created.id}`)).json().silence).toEqual(created);
  });

  it('refuses bad input with the field’s path, and stores nothing', async () => {
    const before = await count();
    const cases: [unknown, string][] = [
      [{ ...silence, matchers: [{ name: 'x', op: '=~', value: '(a+)+' }] }, 'body.matchers.0.value'],
      [{ ...silence, matchers: [{ name: 'x', op: '=~', value: 'a'.repeat(300) }] }, 'body.matchers.0.value'],
      [{ ...silence, matchers: [{ name: 'x', op: '=~', value: '[' }] }, 'body.matchers.0.value'],
      [{ ...silence, matchers: [{ name: 'x', op: '==', value: 'a' }] }, 'body.matchers.0.op'],
      [{ ...silence, matchers: [{ name: 'bad name', value: 'a' }] }, 'body.matchers.0.name'],
      [{ ...silence, matchers: [{ name: 'x', value: 'a', extra: 1 }] }, 'body.matchers.0.extra'],
      [{ ...silence, service: undefined, matchers: [] }, 'body.matchers'],
      [{ ...silence, duration: undefined }, 'body.ends_at'],
      [{ ...silence, ends_at: '2026-03-02T12:00:00Z' }, 'body.ends_at'],
      [{ ...silence, duration: 'soon' }, 'body.duration'],
      [{ ...silence, comment: '  ' }, 'body.comment'],
      [{ ...silence, starts_at: 'tomorrow' }, 'body.starts_at'],
      [{ ...silence, colour: 'red' }, 'body.colour'],
      [{ ...silence, service: 'nope' }, 'service'],
      [{ ...silence, duration: '0s' }, 'duration'],
      [{ ...silence, duration: '400d' }, 'duration'],
      [{ ...silence, duration: undefined, ends_at: '2026-03-01T00:00:00Z' }, 'ends_at'],
    ];
    for (const [body, path] of cases) {
      const res = await post('/api/v1/silences', t.adminToken, body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 120)).toBe(400);
      expect(res.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    expect(await count()).toBe(before);
  });

  it('refuses viewers (403), and maintenance windows to responders; anonymous callers get 401', async () => {
    const before = await count();
    expect((await post('/api/v1/silences', viewer, silence)).statusCode).toBe(403);
    const window = { service: 'payments', duration: '1h', comment: 'upgrade' };
    expect((await post('/api/v1/maintenance-windows', viewer, window)).statusCode).toBe(403);
    expect((await post('/api/v1/maintenance-windows', responder, window)).statusCode).toBe(403);
    const anonymous = await t.app.inject({ method: 'POST', url: '/api/v1/silences', payload: silence });
    expect(anonymous.statusCode).toBe(401);
    expect(await count()).toBe(before);
    const created = (await post('/api/v1/silences', t.adminToken, silence)).json().silence;
    expect((await post(`/api/v1/silences/${created.id}/end`, viewer, undefined)).statusCode).toBe(403);
  });

  it('schedules a maintenance window, lists it by state and ends it early, audited', async () => {
    const startsAt = new Date(t.clock.now().getTime() + 3_600_000);
    const res = await post('/api/v1/maintenance-windows', t.adminToken, {
      service: 'payments',
      starts_at: startsAt.toISOString(),
      ends_at: new Date(startsAt.getTime() + 3_600_000).toISOString(),
      comment: 'database upgrade',
    });
    expect(res.statusCode).toBe(201);
    const window = res.json().maintenance_window;
    expect(window).toMatchObject({
      kind: 'maintenance',
      state: 'pending',
      matchers: [],
      created_by: 'admin',
    });
    const ids = async (url: string) =>
      (await get(url)).json().maintenance_windows.map((w: { id: string }) => w.id) as string[];
    expect(await ids('/api/v1/maintenance-windows')).toEqual([window.id]);
    expect(await ids('/api/v1/maintenance-windows?state=pending')).toEqual([window.id]);
    expect(await ids('/api/v1/maintenance-windows?state=active')).toEqual([]);
    // Silences are listed apart.
    const silences = (await get('/api/v1/silences?state=all')).json().silences as { kind: string }[];
    expect(silences.every((s) => s.kind === 'silence')).toBe(true);

    t.clock.advance(3_600_000 + 60_000);
    expect(await ids('/api/v1/maintenance-windows?state=active&service=payments')).toEqual([window.id]);
    const ended = await post(`/api/v1/maintenance-windows/${window.id}/end`, t.adminToken, undefined);
    expect(ended.statusCode).toBe(200);
    expect(ended.json().maintenance_window).toMatchObject({
      state: 'expired',
      ended_at: t.clock.now().toISOString(),
      ended_by: 'admin',
    });
    // Ending it again changes nothing.
    const again = await post(`/api/v1/maintenance-windows/${window.id}/end`, t.adminToken, undefined);
    expect(again.json().maintenance_window.ended_at).toBe(t.clock.now().toISOString());
    expect(await ids('/api/v1/maintenance-windows')).toEqual([]);
    expect(await ids('/api/v1/maintenance-windows?state=expired')).toEqual([window.id]);
    const audit = await auditOf('maintenance_window', window.id);
    expect(audit.map((a) => a.action)).toEqual(['maintenance_window.created', 'maintenance_window.ended']);
  });

  it('answers 404 for unknown ids, a silence id under maintenance windows, and unknown services', async () => {
    const created = (await post('/api/v1/silences', t.adminToken, silence)).json().silence;
    expect((await get(`/api/v1/maintenance-windows/${created.id}`)).statusCode).toBe(404);
    expect((await get('/api/v1/silences/999999')).statusCode).toBe(404);
    expect((await get('/api/v1/silences/abc')).statusCode).toBe(404);
    expect((await post('/api/v1/silences/999999/end', t.adminToken, undefined)).statusCode).toBe(404);
    expect((await get('/api/v1/silences?service=nope')).statusCode).toBe(404);
    expect((await get('/api/v1/silences?state=sleeping')).statusCode).toBe(400);
  });
});
