import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { Engine } from '../../engine/engine.ts';
import { workflowEventsModule } from '../../engine/workflow-events.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { loadPlan } from '../plans/plan.ts';
import { applyPlan, outboxOf } from './testing.ts';

// A webhook action's URL takes placeholders in its path and query only, each value URL-encoded:
// incident fields (a title anyone declaring can choose) never pick the host.

const plan = (url: string) => `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: hooks }
severities: [{ id: SEV1, title: Critical }]
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
workflows:
  - name: tell the tracker
    when: incident.declared
    then:
      - webhook: { url: "${url}" }
`;

let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');

beforeAll(async () => {
  t = await freshDb();
});
afterAll(() => t.close());

describe('webhook action URLs', () => {
  it('refuse a placeholder in the scheme, host or port, naming the line', () => {
    for (const url of [
      'https://{title}.example.com/x',
      'https://hooks.example.com:{port}/x',
      '{base}/hook',
    ]) {
      const loaded = loadPlan(plan(url), 'hooks.yaml');
      expect('errors' in loaded && loaded.errors.length > 0, url).toBe(true);
      const errors = 'errors' in loaded ? loaded.errors : [];
      expect(errors[0]?.message, url).toMatch(/placeholders .* path or query/);
      expect(errors[0]?.line).toBe(11); // the webhook's line
    }
  });

  it('takes only identifiers in a URL: free text such as the title is refused at its line', () => {
    const loaded = loadPlan(plan('https://hooks.example.com/incidents/{title}'), 'hooks.yaml');
    const errors = 'errors' in loaded ? loaded.errors : [];
    expect(errors[0]?.message).toMatch(/\{title\} is not known in links/);
    expect(errors[0]?.line).toBe(11);
  });

  it('URL-encode each value put into the path and query', async () => {
    await applyPlan(
      t.db,
      clock,
      plan('https://hooks.example.com/incidents/{id}?severity={severity}&at={declared_at}'),
    );
    const ctx = makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
    const incident = await declareIncident({
      ctx,
      input: { plan: 'hooks', severity: 'SEV1', title: 'a/b?c=d#e@evil.example' },
    });
    await new Engine({ db: t.db, clock }, [workflowEventsModule()]).runUntilIdle();
    const hooks = (await outboxOf(t.db, incident.id)).filter((o) => o.channel === 'webhook');
    const at = encodeURIComponent(new Date(incident.declared_at).toISOString());
    expect(at).toContain('%3A'); // the time's colons are encoded
    expect(hooks.map((h) => h.destination)).toEqual([
      `https://hooks.example.com/incidents/${incident.id}?severity=SEV1&at=${at}`,
    ]);
    expect(new URL(hooks[0]?.destination ?? '').host).toBe('hooks.example.com');
  });
});
