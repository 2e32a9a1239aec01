import { describe, expect, it } from 'vitest';
import { Conflict, NotFound } from '../../errors.ts';
import { formatSourceError } from '../../lib/yaml-source.ts';
import { listAudit } from '../audit/list-audit.ts';
import { listIncidentPages } from '../paging/list-pages.ts';
import { loadPlan } from '../plans/plan.ts';
import { listUpdates } from '../updates/list-updates.ts';
import { addNote } from './add-note.ts';
import { assignRole } from './assign-role.ts';
import { changeType } from './change-type.ts';
import { mayViewIncidentId } from './confidential.ts';
import { CONFIDENTIAL_PLAN, confidentialWorld } from './confidential-testing.ts';
import { declareIncident } from './declare-incident.ts';
import { EVENT_KINDS } from './events.ts';
import { getIncident } from './get-incident.ts';
import { listIncidentEvents } from './list-incident-events.ts';
import { listIncidents } from './list-incidents.ts';
import { publishUpdate } from './publish-update.ts';

// Confidential incidents (issue 11 §3.2): only admins, the incident's own responders and the plan's
// confidential.visibleTo see one; everyone else is told it does not exist, everywhere it could show.

const w = confidentialWorld();
const PLAN = CONFIDENTIAL_PLAN;
const { system, as, declareSecret } = w;

describe('confidential incidents: who sees them', () => {
  it('a confidential type makes it confidential, named by its code name in the channel', async () => {
    const incident = await declareSecret();
    expect(incident.confidential).toBe(true);
    expect(incident.code_name).toBe(`op-${incident.id}`);
    expect(incident.channel_name).toBe(`incident-${incident.id}-op-${incident.id}`);
    expect(incident.channel_name).not.toContain('payroll');
  });

  it('the declaration flag, a given code name, and the plan rule `when` make it confidential too', async () => {
    const flagged = await declareIncident({
      ctx: system(),
      input: {
        plan: 'secret',
        severity: 'SEV2',
        title: 'HR laptop stolen',
        confidential: true,
        code_name: 'bluebird',
      },
    });
    expect([flagged.confidential, flagged.code_name, flagged.channel_name]).toEqual([
      true,
      'bluebird',
      `incident-${flagged.id}-bluebird`,
    ]);
    const byRule = await declareIncident({
      ctx: system(),
      input: { plan: 'secret', severity: 'SEV2', title: 'Export leaked', labels: { data: 'pii' } },
    });
    expect(byRule.confidential).toBe(true);
    const plain = await declareIncident({
      ctx: system(),
      input: { plan: 'secret', severity: 'SEV2', title: 'Slow search', type: 'availability' },
    });
    expect(plain.confidential).toBe(false);
  });

  it('others get 404 on get, timeline, pages history, updates and every action', async () => {
    const incident = await declareSecret();
    const id = incident.id;
    for (const outsider of ['bob', 'ivy'] as const) {
      const ctx = as(outsider);
      await expect(getIncident({ ctx, input: { incidentId: id } })).rejects.toBeInstanceOf(NotFound);
      await expect(listIncidentEvents({ ctx, input: { incidentId: id } })).rejects.toBeInstanceOf(NotFound);
      await expect(listIncidentPages({ ctx, input: { incidentId: id } })).rejects.toBeInstanceOf(NotFound);
      await expect(listUpdates({ ctx, input: { incidentId: id } })).rejects.toBeInstanceOf(NotFound);
      await expect(addNote({ ctx, input: { incidentId: id, text: 'peek' } })).rejects.toBeInstanceOf(
        NotFound,
      );
      await expect(
        changeType({ ctx, input: { incidentId: id, type: 'availability', reason: 'r' } }),
      ).rejects.toBeInstanceOf(NotFound);
      // The 404 is the same as for an incident that does not exist: nothing says it is there.
      await expect(getIncident({ ctx, input: { incidentId: id } })).rejects.toThrow(
        `incident "${id}" not found`,
      );
      expect(await mayViewIncidentId(w.db, id, w.actor(outsider), w.clock.now())).toBe(false);
    }
    // visibleTo members, admins and the system see it.
    for (const insider of ['sec', 'ada'] as const) {
      const detail = await getIncident({ ctx: as(insider), input: { incidentId: id } });
      expect(detail.incident.title).toBe('Payroll database dumped');
    }
    expect((await getIncident({ ctx: system(), input: { incidentId: id } })).incident.id).toBe(id);
  });

  it("the incident's own responders see it: a role holder does, and lists show it to them", async () => {
    const incident = await declareSecret({ title: 'Keys in a public repo' });
    const id = incident.id;
    const before = await listIncidents({ ctx: as('ivy'), input: { state: 'all', limit: 500 } });
    expect(before.incidents.map((i) => i.id)).not.toContain(id);
    await assignRole({ ctx: as('sec'), input: { incidentId: id, role: 'incident-commander', user: 'ivy' } });
    const after = await listIncidents({ ctx: as('ivy'), input: { state: 'all', limit: 500 } });
    expect(after.incidents.map((i) => i.id)).toContain(id);
    expect((await getIncident({ ctx: as('ivy'), input: { incidentId: id } })).incident.id).toBe(id);
    expect(await mayViewIncidentId(w.db, id, w.actor('ivy'), w.clock.now())).toBe(true);
  });

  it('lists and the type filter omit confidential incidents for outsiders; public ones stay', async () => {
    const secret = await declareSecret({ title: 'Ransom note' });
    const open = await declareIncident({
      ctx: system(),
      input: { plan: 'secret', severity: 'SEV2', title: 'Queue backlog' },
    });
    const bob = await listIncidents({ ctx: as('bob'), input: { state: 'all', limit: 500 } });
    expect(bob.incidents.map((i) => i.id)).toContain(open.id);
    expect(bob.incidents.every((i) => !i.confidential)).toBe(true);
    const typed = await listIncidents({ ctx: as('bob'), input: { type: 'security', limit: 500 } });
    expect(typed.incidents).toEqual([]);
    const sec = await listIncidents({ ctx: as('sec'), input: { type: 'security', limit: 500 } });
    expect(sec.incidents.map((i) => i.id)).toContain(secret.id);
  });

  it('the audit log hides entries about it from managers who may not see it', async () => {
    const secret = await declareSecret({ title: 'Badge system breached' });
    const bob = await listAudit({
      ctx: as('bob'),
      input: { entityType: 'incident', entityId: secret.id, limit: 50 },
    });
    expect(bob.entries).toEqual([]);
    const ada = await listAudit({
      ctx: as('ada'),
      input: { entityType: 'incident', entityId: secret.id, limit: 50 },
    });
    expect(ada.entries.map((e) => e.action)).toContain('incident.declared');
  });

  it('a note is written with its audit entry on a public incident (one statement) and on a confidential one someone may see', async () => {
    const open = await declareIncident({
      ctx: system(),
      input: { plan: 'secret', severity: 'SEV2', title: 'Disk filling' },
    });
    const secret = await declareSecret({ title: 'Payroll export' });
    for (const [who, incident] of [
      ['bob', open],
      ['ada', secret],
    ] as const) {
      const ctx = as(who);
      const note = await addNote({ ctx, input: { incidentId: incident.id, text: `seen by ${who}` } });
      const events = await listIncidentEvents({ ctx, input: { incidentId: incident.id } });
      expect(events.filter((e) => e.kind === EVENT_KINDS.note).map((e) => e.data)).toEqual([
        { text: `seen by ${who}` },
      ]);
      const audit = await listAudit({
        ctx: as('ada'),
        input: { entityType: 'incident', entityId: incident.id, limit: 50 },
      });
      const entry = audit.entries.find((e) => e.action === 'incident.note_added');
      expect(entry?.after).toEqual({ text: `seen by ${who}`, event_id: String(note.id) });
      expect(entry?.actor_name).toBe(w.actor(who).name);
    }
  });

  it('changing to a confidential type makes the incident confidential from then on', async () => {
    const incident = await declareIncident({
      ctx: system(),
      input: { plan: 'secret', severity: 'SEV2', title: 'Odd logins', type: 'availability' },
    });
    expect((await getIncident({ ctx: as('bob'), input: { incidentId: incident.id } })).incident.id).toBe(
      incident.id,
    );
    const changed = await changeType({
      ctx: as('sec'),
      input: { incidentId: incident.id, type: 'security', reason: 'credential stuffing' },
    });
    expect([changed.confidential, changed.code_name]).toEqual([true, `op-${incident.id}`]);
    await expect(getIncident({ ctx: as('bob'), input: { incidentId: incident.id } })).rejects.toBeInstanceOf(
      NotFound,
    );
  });

  it('external updates of a confidential incident are refused with the rule (409); internal ones go', async () => {
    const incident = await declareSecret({ title: 'Customer data exposed' });
    const external = publishUpdate({
      ctx: as('sec'),
      input: { incidentId: incident.id, audience: 'external', bodies: { en: 'We are investigating' } },
    });
    await expect(external).rejects.toBeInstanceOf(Conflict);
    await expect(external).rejects.toThrow(
      /confidential: external updates are off .*confidential\.external: never/,
    );
    const internal = await publishUpdate({
      ctx: as('sec'),
      input: { incidentId: incident.id, audience: 'internal', bodies: { en: 'Contained' } },
    });
    expect(internal.status).toBe('published');
  });
});

describe('confidential: bad input', () => {
  it('names unknown groups, types and a missing approver at line:col', () => {
    const bad = PLAN.replace('visibleTo: [security-team]', 'visibleTo: [sec-team]')
      .replace('codeName: "op-{id}"', 'codeName: "op-{title}"')
      .replace('when: { labels: { data: pii } }', 'when: { type: fraud }\n  external: approved');
    expect(loadPlan(bad, 'p.yaml').errors.map(formatSourceError)).toEqual([
      'p.yaml:11:15: confidential.visibleTo.0: undefined group or role "sec-team"',
      'p.yaml:12:17: confidential.codeName: {title} is not known in the channel name; use {id}, {slug}, {severity}, {date}',
      'p.yaml:13:17: confidential.when.type: undefined incident type "fraud"',
      'p.yaml:14:13: confidential.external: approved needs approvers: name them in approvals.external',
    ]);
  });
});
