import { z } from 'zod';
import type { App } from '../http-app.ts';
import { incidentIdSchema } from '../incidents/inputs.ts';
import { changePostmortemStatus } from './change-postmortem-status.ts';
import { editPostmortem } from './edit-postmortem.ts';
import { getPostmortemMeeting } from './get-meeting.ts';
import { exportPostmortem, exportPostmortemPdf, getPostmortem } from './get-postmortem.ts';
import { listPostmortems } from './list-postmortems.ts';
import { scheduleMeetingSchema } from './meeting.ts';
import { editPostmortemSchema, listPostmortemsQuerySchema, postmortemMoveSchema } from './postmortem.ts';
import { meetingAnswer, postmortemAnswer, postmortemsAnswer, scheduledMeetingAnswer } from './responses.ts';
import { schedulePostmortemMeeting } from './schedule-meeting.ts';

const BASE = '/api/v1/postmortems';
const tags = ['postmortems'];
// A post-mortem is named by its incident's id: one per incident.
const params = z.strictObject({ id: incidentIdSchema });
const exportQuerySchema = z.strictObject({ format: z.enum(['markdown', 'pdf']).default('markdown') });

export function registerPostmortemRoutes(app: App): void {
  app.get(
    BASE,
    {
      schema: {
        tags,
        querystring: listPostmortemsQuerySchema,
        summary: 'Post-mortems, newest incident first',
        response: { 200: postmortemsAnswer },
      },
    },
    async (request) => ({ postmortems: await listPostmortems({ ctx: request.ctx, input: request.query }) }),
  );
  app.get(
    `${BASE}/:id`,
    {
      schema: {
        tags,
        params,
        summary: "An incident's post-mortem, its sections in Markdown",
        response: { 200: postmortemAnswer },
      },
    },
    async (request) => ({
      postmortem: await getPostmortem({ ctx: request.ctx, input: { incidentId: request.params.id } }),
    }),
  );
  app.get(
    `${BASE}/:id/markdown`,
    { schema: { tags, params, summary: 'The post-mortem as one Markdown document (export)' } },
    async (request, reply) => {
      const text = await exportPostmortem({ ctx: request.ctx, input: { incidentId: request.params.id } });
      return reply
        .type('text/markdown; charset=utf-8')
        .header('content-disposition', `attachment; filename="postmortem-${request.params.id}.md"`)
        .send(text);
    },
  );
  app.get(
    `${BASE}/:id/export`,
    {
      schema: {
        tags,
        params,
        querystring: exportQuerySchema,
        summary: 'The post-mortem as a file: Markdown (default) or PDF (Latin and Ethiopic text)',
      },
    },
    async (request, reply) => {
      const input = { incidentId: request.params.id };
      const pdf = request.query.format === 'pdf';
      const body = pdf
        ? await exportPostmortemPdf({ ctx: request.ctx, input })
        : await exportPostmortem({ ctx: request.ctx, input });
      return reply
        .type(pdf ? 'application/pdf' : 'text/markdown; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="postmortem-${request.params.id}.${pdf ? 'pdf' : 'md'}"`,
        )
        .send(body);
    },
  );
  app.patch(
    `${BASE}/:id`,
    {
      schema: {
        tags,
        params,
        body: editPostmortemSchema,
        summary: 'Edit the title, sections (Markdown) or root-cause category',
        response: { 200: postmortemAnswer },
      },
    },
    async (request) => ({
      postmortem: await editPostmortem({
        ctx: request.ctx,
        input: { incidentId: request.params.id, ...request.body },
      }),
    }),
  );
  app.post(
    `${BASE}/:id/status`,
    {
      schema: {
        tags,
        params,
        body: postmortemMoveSchema,
        summary: 'Move along draft → in_review → published (publishing takes a manager)',
        response: { 200: postmortemAnswer },
      },
    },
    async (request) => ({
      postmortem: await changePostmortemStatus({
        ctx: request.ctx,
        input: { incidentId: request.params.id, to: request.body.to },
      }),
    }),
  );
  app.get(
    `${BASE}/:id/meeting`,
    {
      schema: {
        tags,
        params,
        summary: "The post-mortem's meeting, when one is scheduled",
        response: { 200: meetingAnswer },
      },
    },
    async (request) => ({
      meeting: await getPostmortemMeeting({ ctx: request.ctx, input: { incidentId: request.params.id } }),
    }),
  );
  app.put(
    `${BASE}/:id/meeting`,
    {
      schema: {
        tags,
        params,
        body: scheduleMeetingSchema,
        summary:
          "Schedule or move the post-mortem meeting: the plan's attendees for the severity (and those named) get a calendar invitation (.ics) by email",
        response: { 200: scheduledMeetingAnswer },
      },
    },
    async (request) => ({
      meeting: await schedulePostmortemMeeting({
        ctx: request.ctx,
        input: { incidentId: request.params.id, ...request.body },
      }),
    }),
  );
}
