import { afterAll, beforeAll, describe, it } from 'vitest';
import { acknowledgeIncident } from '../../src/domain/incidents/acknowledge-incident.ts';
import { resolveIncident } from '../../src/domain/incidents/resolve-incident.ts';
import { PagingHarness } from './paging-harness.ts';

// The seed plans' paging, run as written with the example set-up (examples/setup: people, contacts,
// schedules) on a virtual clock. Each test names every message, in time order; anything else fails.
// Monday 2026-03-02 13:00 in Addis Ababa: selam is primary on call, hanna secondary (examples/setup/
// schedules.yaml); jordan is the engineering manager and selam the CTO in the plans' groups.

let h: PagingHarness;
beforeAll(async () => {
  h = await PagingHarness.start('2026-03-02T10:00:00Z', ['examples/setup', 'examples/plans']);
});
afterAll(() => h.close());

describe('smoke: paging as the seed plans say', () => {
  it('job-application P0: the IC fallback chain escalates until acknowledged, then stops', async () => {
    await h.startAt('2026-03-02T10:00:00Z'); // 13:00 in Addis Ababa
    const id = await h.declare('job-application-platform', 'P0', 'API 100% errors');
    h.expectDelivered([
      '+0m chat #incidents post', // page.chat
      '+0m push tocsin-selam page', // step 1: primary on call (no phone contact → her own rules)
      '+0m push tocsin-selam notify', // workflow "notify stakeholders": leadership
      '+0m email priya@example.com notify', // leadership, no rules → email
    ]);
    await h.at(9);
    h.expectDelivered([
      '+4m push tocsin-hanna page', // step 2: secondary on call
      '+5m email selam@example.com notify', // selam's 5-minute rules
      '+5m email selam@example.com page',
      '+5m sms +251911234567 page',
      '+6m sms +251911234567 notify', // one SMS a minute per number: the second waits
      '+6m email hanna@example.com page', // hanna's 2-minute rule
      // The IC role passes selam → hanna → jordan (roles[].fallback, acceptWithin 4m): the new holder
      // is paged; policy step 3 (8m) finds jordan already paged, so he gets one page, not two.
      '+8m email jordan@example.com page',
    ]);
    // Step 3 (8m) queued jordan's phone call for 13m (his rule's delay); acknowledging cancels it.
    await acknowledgeIncident({ ctx: h.ctx(), input: { incidentId: id } });
    await h.at(45);
    h.expectDelivered([
      // The P0 internal-update cadence keeps reminding the IC (jordan now holds the role), through
      // his own rules: email at once, a call 5 minutes later.
      '+16m email jordan@example.com remind',
      '+21m voice +12025550143 remind',
      '+31m email jordan@example.com remind',
      '+36m voice +12025550143 remind',
    ]);
    await resolveIncident({ ctx: h.ctx(), input: { incidentId: id } });
    await h.settle();
    h.expectDelivered(['+45m chat #incidents post']); // workflow "incident closure"
    await h.at(120);
    h.expectDelivered([]);
  });

  it('story-generation SEV-1: L1–L4 duration tiers go on after the acknowledgement, until resolved', async () => {
    await h.startAt('2026-03-02T12:00:00Z'); // 15:00 in Addis Ababa, after the test above (if it ran)
    const id = await h.declare('story-generation', 'SEV-1', 'Story generation failing');
    await h.at(10);
    h.expectDelivered([
      '+0m push tocsin-selam page', // the severity's page and tier L1 (0–30 min) reach selam once
      '+5m email selam@example.com page',
      '+5m sms +251911234567 page',
      '+10m push tocsin-selam remind', // status page due: the assignee (selam, assigned as on call) is reminded
    ]);
    await acknowledgeIncident({ ctx: h.ctx(), input: { incidentId: id } });
    await h.settle();
    await h.at(125);
    h.expectDelivered([
      '+10m chat #incidents post', // workflow "post in #incidents on acknowledgement"
      '+15m email selam@example.com remind', // the status page reminder, through selam's 5-minute rules
      '+15m sms +251911234567 remind',
      '+30m push tocsin-hanna page', // L2: team lead, 30–60 min, although acknowledged
      '+32m email hanna@example.com page',
      '+60m email jordan@example.com page', // L3: engineering manager, 60–120 min
      '+65m voice +12025550143 page',
      '+120m push tocsin-selam page', // L4: CTO after 120 min
      '+125m email selam@example.com page',
      '+125m sms +251911234567 page',
    ]);
    await resolveIncident({ ctx: h.ctx(), input: { incidentId: id } });
    await h.settle();
    await h.at(200);
    h.expectDelivered([]); // resolved: no tier, no page, nothing
  });
});
