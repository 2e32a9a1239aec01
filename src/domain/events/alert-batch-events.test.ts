import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { routeAlerts } from '../alert-rules/route-alerts.ts';
import type { InboundAlertEvent } from '../alerts/alerts.ts';
import { applyIngestBatch } from '../alerts/ingest-alert-events.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { createIntegration } from '../services/create-integration.ts';
import { saveService } from '../services/save-service.ts';
import { EVENTS_CHANNEL, parseEvents } from './events.ts';

// Migration 0630: new alerts are announced once per statement, in batches of 80 a notification;
// every new alert still arrives as its own alert.changed event after the commit. Migration 0711:
// the same for the alert rules' decisions (markRouted announces the alerts it routed).

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(() => t.close());

describe('alert.changed for alerts inserted together', () => {
  it('arrives once per new alert, from a few notifications for one statement', async () => {
    const ctx = makeCtx({ db: t.db, clock: new VirtualClock('2026-03-02T10:00:00Z') }, SYSTEM_ACTOR);
    await saveService({ ctx, input: { service: { name: 'batched' }, mode: 'upsert' } });
    const integration = await createIntegration({
      ctx,
      input: { service: 'batched', type: 'pagerduty', name: 'events', config: {} },
    });
    const listener = new pg.Client({ connectionString: t.url });
    await listener.connect();
    const payloads: string[] = [];
    listener.on('notification', (n) => {
      if (n.channel === EVENTS_CHANNEL && n.payload) payloads.push(n.payload);
    });
    try {
      await listener.query(`listen ${EVENTS_CHANNEL}`);
      const events: InboundAlertEvent[] = Array.from({ length: 170 }, (_, i) => ({
        action: 'trigger',
        dedupKey: `batched-${i}`,
        summary: `disk ${i}`,
        raw: {},
      }));
      const [results] = await applyIngestBatch(ctx.db, ctx.clock.now(), [{ integration, events }]);
      const ids = new Set((results as { alert_id: string }[]).map((r) => r.alert_id));
      expect(ids.size).toBe(170);
      const seen = () =>
        new Set(
          payloads
            .flatMap(parseEvents)
            .filter((e) => e.kind === 'alert.changed')
            .map((e) => e.id),
        );
      // Notifications arrive after the commit, asynchronously: wait for them, generously.
      for (let i = 0; i < 600 && seen().size < ids.size; i++) await new Promise((r) => setTimeout(r, 50));
      expect(seen()).toEqual(ids);
      expect(payloads.length).toBe(3);

      // The alert rules decide them (no plan: recorded only): one event per alert again, in batches.
      payloads.length = 0;
      const routed = await t.db.transaction().execute((tx) => routeAlerts({ tx, now: ctx.clock.now() }));
      expect(routed).toBe(170);
      for (let i = 0; i < 600 && seen().size < ids.size; i++) await new Promise((r) => setTimeout(r, 50));
      expect(seen()).toEqual(ids);
      expect(payloads.length).toBe(3);
      expect(payloads.flatMap(parseEvents).every((e) => e.incident_id === null)).toBe(true);
    } finally {
      await listener.end();
    }
  });
});
