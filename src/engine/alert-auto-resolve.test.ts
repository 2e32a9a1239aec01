import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../test/helpers.ts';
import type { InboundAlertEvent } from '../domain/alerts/alerts.ts';
import { ingestAlertEvents } from '../domain/alerts/ingest-alert-events.ts';
import { createIntegration } from '../domain/services/create-integration.ts';
import { saveService } from '../domain/services/save-service.ts';
import type { Integration } from '../domain/services/services.ts';
import { alertAutoResolveModule } from './alert-auto-resolve.ts';
import { Engine } from './engine.ts';

const HOUR = 3_600_000;
let t: TestApp;
let engine: Engine;

beforeAll(async () => {
  t = await testApp();
  engine = new Engine({ db: t.db, clock: t.clock }, [alertAutoResolveModule()]);
});
afterAll(() => t.close());

async function service(
  name: string,
  rules: Record<string, unknown>,
  type: 'pagerduty' | 'heartbeat' = 'pagerduty',
) {
  await saveService({ ctx: t.ctx(), input: { service: { name, rules }, mode: 'upsert' } });
  const config = type === 'heartbeat' ? { interval: '1h' } : {};
  return createIntegration({ ctx: t.ctx(), input: { service: name, type, name: `${type}-in`, config } });
}

function trigger(integration: Integration, dedupKey: string) {
  const event: InboundAlertEvent = { action: 'trigger', dedupKey, summary: dedupKey, raw: {} };
  return ingestAlertEvents({ ctx: t.ctx(), input: { integration, events: [event] } });
}

async function statuses() {
  const rows = await t.db.selectFrom('alerts').select(['dedup_key', 'status']).orderBy('id').execute();
  return Object.fromEntries(rows.map((r) => [r.dedup_key, r.status]));
}

describe('alert auto-resolve', () => {
  it('resolves open alerts not seen for the service’s autoResolve, and only those', async () => {
    const pd = await service('ar-web', { autoResolve: '4h' });
    const keep = await service('ar-manual', {});
    const hb = await service('ar-cron', { autoResolve: '4h' }, 'heartbeat');
    await trigger(pd, 'repeating');
    await trigger(pd, 'quiet');
    await trigger(keep, 'no-rule');
    await trigger(hb, 'heartbeat:heartbeat-in');

    t.clock.advance(3 * HOUR);
    await trigger(pd, 'repeating'); // seen again: its four hours start over
    t.clock.advance(HOUR);
    await engine.runUntilIdle();
    expect(await statuses()).toMatchObject({ quiet: 'triggered' }); // exactly 4h: not yet

    t.clock.advance(1000);
    await engine.runUntilIdle();
    expect(await statuses()).toEqual({
      repeating: 'triggered',
      quiet: 'resolved',
      'no-rule': 'triggered',
      // Its next ping resolves a heartbeat's alert; silence is what it reports, not staleness.
      'heartbeat:heartbeat-in': 'triggered',
    });
    const quiet = await t.db
      .selectFrom('alerts')
      .innerJoin('alert_events', 'alert_events.alert_id', 'alerts.id')
      .select(['alert_events.kind', 'alert_events.actor', 'alert_events.data', 'alerts.resolved_at'])
      .where('alerts.dedup_key', '=', 'quiet')
      .orderBy('alert_events.id')
      .execute();
    expect(quiet.map((e) => [e.kind, e.actor])).toEqual([
      ['trigger', 'integration:pagerduty-in'],
      ['auto_resolve', 'tocsin'],
    ]);
    expect(quiet[1]?.data).toMatchObject({ auto_resolve: '4h' });
    expect(quiet[1]?.resolved_at).toEqual(t.clock.now());

    t.clock.advance(3 * HOUR);
    await engine.runUntilIdle();
    expect((await statuses()).repeating).toBe('resolved');
    const events = await t.db.selectFrom('alert_events').select('id').execute();
    await engine.runUntilIdle();
    expect(await t.db.selectFrom('alert_events').select('id').execute()).toHaveLength(events.length);
  });

  it('opens a new alert for a key whose alert was auto-resolved', async () => {
    const pd = await service('ar-again', { autoResolve: '30m' });
    await trigger(pd, 'flappy');
    t.clock.advance(HOUR);
    await engine.runUntilIdle();
    await trigger(pd, 'flappy');
    const rows = await t.db
      .selectFrom('alerts')
      .select('status')
      .where('dedup_key', '=', 'flappy')
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.status)).toEqual(['resolved', 'triggered']);
  });
});
