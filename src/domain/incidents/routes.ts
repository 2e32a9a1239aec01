import { z } from 'zod';
import type { App } from '../http-app.ts';
import { acknowledgeIncident } from './acknowledge-incident.ts';
import { addAffectedUsers } from './add-affected-users.ts';
import { addChecklistItem } from './add-checklist-item.ts';
import { addHypothesis } from './add-hypothesis.ts';
import { addNote } from './add-note.ts';
import { addResponder } from './add-responder.ts';
import { assignRole } from './assign-role.ts';
import { changeSeverity } from './change-severity.ts';
import { changeType } from './change-type.ts';
import { completeChecklistItem } from './complete-checklist-item.ts';
import { declareIncident } from './declare-incident.ts';
import { getIncident } from './get-incident.ts';
import { getIncidentTargets } from './get-incident-targets.ts';
import {
  acknowledgeBodySchema,
  affectedUsersBodySchema,
  assignRoleBodySchema,
  checklistItemBodySchema,
  checklistItemPatchSchema,
  declareIncidentSchema,
  hypothesisBodySchema,
  hypothesisPatchSchema,
  incidentIdSchema,
  incidentPatchSchema,
  linkBodySchema,
  listIncidentsQuerySchema,
  mergeBodySchema,
  mitigationBodySchema,
  noteBodySchema,
  publishUpdateBodySchema,
  resolveBodySchema,
  responderBodySchema,
  severityBodySchema,
  transitionBodySchema,
  triageBodySchema,
  typeBodySchema,
  urgencyBodySchema,
} from './inputs.ts';
import { linkIncidents, unlinkIncidents } from './link-incidents.ts';
import { listAffectedUsers } from './list-affected-users.ts';
import type { IncidentListCache } from './list-cache.ts';
import { listIncidentEvents } from './list-incident-events.ts';
import { listIncidentsJson } from './list-incidents-json.ts';
import { mergeIncident } from './merge-incident.ts';
import { publishUpdate } from './publish-update.ts';
import { raiseUrgency } from './raise-urgency.ts';
import { resolveIncident } from './resolve-incident.ts';
import { setMitigation } from './set-mitigation.ts';
import { transitionIncident } from './transition-incident.ts';
import { triageIncident } from './triage-incident.ts';
import { updateHypothesis } from './update-hypothesis.ts';
import { updateIncident } from './update-incident.ts';

const BASE = '/api/v1/incidents';
const tags = ['incidents'];
const params = z.strictObject({ id: incidentIdSchema });
const childId = z.string().regex(/^[1-9][0-9]{0,17}$/, 'an id is a positive integer');

// Thin: validate, call the operation, shape the answer. Rules live in the operations.
export function registerIncidentRoutes(
  app: App,
  deps: { listCache?: IncidentListCache | undefined } = {},
): void {
  app.post(BASE, { schema: { tags, body: declareIncidentSchema } }, async (request, reply) => {
    const incident = await declareIncident({ ctx: request.ctx, input: request.body });
    reply.status(201);
    return { incident };
  });
  // The answer's JSON comes built (listIncidentsJson): sent as it is, not serialised again.
  app.get(BASE, { schema: { tags, querystring: listIncidentsQuerySchema } }, async (request, reply) =>
    reply
      .type('application/json; charset=utf-8')
      .send(await listIncidentsJson({ ctx: request.ctx, input: request.query }, deps.listCache)),
  );
  app.get(`${BASE}/:id`, { schema: { tags, params } }, async (request) =>
    getIncident({ ctx: request.ctx, input: { incidentId: request.params.id } }),
  );
  app.patch(`${BASE}/:id`, { schema: { tags, params, body: incidentPatchSchema } }, async (request) => ({
    incident: await updateIncident({
      ctx: request.ctx,
      input: { incidentId: request.params.id, ...request.body },
    }),
  }));
  app.post(
    `${BASE}/:id/acknowledge`,
    { schema: { tags, params, body: acknowledgeBodySchema.nullish() } },
    async (request) => ({
      incident: await acknowledgeIncident({ ctx: request.ctx, input: { incidentId: request.params.id } }),
    }),
  );
  app.post(`${BASE}/:id/triage`, { schema: { tags, params, body: triageBodySchema } }, async (request) => ({
    incident: await triageIncident({
      ctx: request.ctx,
      input: { incidentId: request.params.id, ...request.body },
    }),
  }));
  app.post(
    `${BASE}/:id/severity`,
    { schema: { tags, params, body: severityBodySchema } },
    async (request) => ({
      incident: await changeSeverity({
        ctx: request.ctx,
        input: { incidentId: request.params.id, ...request.body },
      }),
    }),
  );
  app.post(`${BASE}/:id/type`, { schema: { tags, params, body: typeBodySchema } }, async (request) => ({
    incident: await changeType({
      ctx: request.ctx,
      input: { incidentId: request.params.id, ...request.body },
    }),
  }));
  app.post(`${BASE}/:id/urgency`, { schema: { tags, params, body: urgencyBodySchema } }, async (request) => ({
    incident: await raiseUrgency({
      ctx: request.ctx,
      input: { incidentId: request.params.id, ...request.body },
    }),
  }));
  app.post(
    `${BASE}/:id/transition`,
    { schema: { tags, params, body: transitionBodySchema } },
    async (request) => ({
      incident: await transitionIncident({
        ctx: request.ctx,
        input: { incidentId: request.params.id, ...request.body },
      }),
    }),
  );
  app.post(
    `${BASE}/:id/resolve`,
    { schema: { tags, params, body: resolveBodySchema.nullish() } },
    async (request) => ({
      incident: await resolveIncident({
        ctx: request.ctx,
        input: { incidentId: request.params.id, ...request.body },
      }),
    }),
  );
  app.post(
    `${BASE}/:id/roles`,
    { schema: { tags, params, body: assignRoleBodySchema } },
    async (request) => ({
      assignment: await assignRole({
        ctx: request.ctx,
        input: { incidentId: request.params.id, ...request.body },
      }),
    }),
  );
  app.post(
    `${BASE}/:id/notes`,
    { schema: { tags, params, body: noteBodySchema } },
    async (request, reply) => {
      const event = await addNote({
        ctx: request.ctx,
        input: { incidentId: request.params.id, ...request.body },
      });
      reply.status(201);
      return { event };
    },
  );
  app.post(
    `${BASE}/:id/affected-users`,
    { schema: { tags, params, body: affectedUsersBodySchema } },
    async (request) =>
      addAffectedUsers({ ctx: request.ctx, input: { incidentId: request.params.id, ...request.body } }),
  );
  app.get(`${BASE}/:id/affected-users`, { schema: { tags, params } }, async (request) =>
    listAffectedUsers({ ctx: request.ctx, input: { incidentId: request.params.id } }),
  );
  app.post(
    `${BASE}/:id/hypotheses`,
    { schema: { tags, params, body: hypothesisBodySchema } },
    async (request, reply) => {
      const hypothesis = await addHypothesis({
        ctx: request.ctx,
        input: { incidentId: request.params.id, ...request.body },
      });
      reply.status(201);
      return { hypothesis };
    },
  );
  app.patch(
    `${BASE}/:id/hypotheses/:hid`,
    {
      schema: {
        tags,
        params: z.strictObject({ id: incidentIdSchema, hid: childId }),
        body: hypothesisPatchSchema,
      },
    },
    async (request) => ({
      hypothesis: await updateHypothesis({
        ctx: request.ctx,
        input: { incidentId: request.params.id, hypothesisId: request.params.hid, ...request.body },
      }),
    }),
  );
  app.post(
    `${BASE}/:id/checklist`,
    { schema: { tags, params, body: checklistItemBodySchema } },
    async (request, reply) => {
      const item = await addChecklistItem({
        ctx: request.ctx,
        input: { incidentId: request.params.id, ...request.body },
      });
      reply.status(201);
      return { item };
    },
  );
  app.patch(
    `${BASE}/:id/checklist/:itemId`,
    {
      schema: {
        tags,
        params: z.strictObject({ id: incidentIdSchema, itemId: childId }),
        body: checklistItemPatchSchema,
      },
    },
    async (request) => ({
      item: await completeChecklistItem({
        ctx: request.ctx,
        input: { incidentId: request.params.id, itemId: request.params.itemId, ...request.body },
      }),
    }),
  );
  app.put(
    `${BASE}/:id/mitigation`,
    { schema: { tags, params, body: mitigationBodySchema } },
    async (request) => ({
      incident: await setMitigation({
        ctx: request.ctx,
        input: { incidentId: request.params.id, ...request.body },
      }),
    }),
  );
  app.post(
    `${BASE}/:id/responders`,
    { schema: { tags, params, body: responderBodySchema } },
    async (request, reply) => {
      const responder = await addResponder({
        ctx: request.ctx,
        input: { incidentId: request.params.id, ...request.body },
      });
      reply.status(201);
      return { responder };
    },
  );
  app.post(
    `${BASE}/:id/updates`,
    { schema: { tags, params, body: publishUpdateBodySchema } },
    async (request, reply) => {
      const update = await publishUpdate({
        ctx: request.ctx,
        input: { incidentId: request.params.id, ...request.body },
      });
      reply.status(201);
      return { update };
    },
  );
  app.post(`${BASE}/:id/links`, { schema: { tags, params, body: linkBodySchema } }, async (request) =>
    linkIncidents({
      ctx: request.ctx,
      input: { incidentId: request.params.id, otherId: request.body.incident_id },
    }),
  );
  app.delete(
    `${BASE}/:id/links/:other`,
    { schema: { tags, params: z.strictObject({ id: incidentIdSchema, other: incidentIdSchema }) } },
    async (request) =>
      unlinkIncidents({
        ctx: request.ctx,
        input: { incidentId: request.params.id, otherId: request.params.other },
      }),
  );
  app.post(`${BASE}/:id/merge`, { schema: { tags, params, body: mergeBodySchema } }, async (request) => ({
    incident: await mergeIncident({
      ctx: request.ctx,
      input: { incidentId: request.params.id, ...request.body },
    }),
  }));
  app.get(`${BASE}/:id/timeline`, { schema: { tags, params } }, async (request) => ({
    events: await listIncidentEvents({ ctx: request.ctx, input: { incidentId: request.params.id } }),
  }));
  app.get(`${BASE}/:id/targets`, { schema: { tags, params } }, async (request) => ({
    targets: await getIncidentTargets({ ctx: request.ctx, input: { incidentId: request.params.id } }),
  }));
}
