import { z } from 'zod';
import { Unauthorized } from '../../errors.ts';
import { parseTimestamp, timestampSchema } from '../../lib/timestamp.ts';
import { type Ctx, makeCtx } from '../context.ts';
import type { App, RouteDeps } from '../http-app.ts';
import { handleSchema } from '../users/users.ts';
import { createOverride } from './create-override.ts';
import { deleteOverride } from './delete-override.ts';
import { deleteSchedule } from './delete-schedule.ts';
import { feedTokenActor, rotateFeedToken } from './feed-token.ts';
import { getSchedule } from './get-schedule.ts';
import { getShifts } from './get-shifts.ts';
import { listOnCall } from './list-on-call.ts';
import { listOverrides } from './list-overrides.ts';
import { listSchedules } from './list-schedules.ts';
import { saveSchedule } from './save-schedule.ts';
import { scheduleCalendar } from './schedule-calendar.ts';
import { MAX_RANGE_DAYS, overrideInputSchema, scheduleBodySchema, scheduleInputSchema } from './schedules.ts';
import { userCalendar } from './user-calendar.ts';

const DAY = 86_400_000;
const tags = ['schedules'];
const nameParam = z.strictObject({ name: z.string().min(1).max(63) });
const at = (text: string | undefined) => (text === undefined ? undefined : (parseTimestamp(text) as Date));

/** from/to of a range query: defaults now and `days` later; the range at most MAX_RANGE_DAYS. */
function rangeQuery(days: number) {
  return z
    .strictObject({ from: timestampSchema.optional(), to: timestampSchema.optional() })
    .superRefine((q, ctx) => {
      const from = q.from ? Date.parse(q.from) : undefined;
      const to = q.to ? Date.parse(q.to) : undefined;
      if (from !== undefined && to !== undefined) {
        if (!(to > from)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
        else if (to - from > MAX_RANGE_DAYS * DAY) {
          ctx.addIssue({
            code: 'custom',
            path: ['to'],
            message: `at most ${MAX_RANGE_DAYS} days after from`,
          });
        }
      }
    })
    .describe(`ISO 8601 timestamps; default from now to ${days} days later`);
}

function range(ctx: Ctx, q: { from?: string | undefined; to?: string | undefined }, days: number) {
  const from = at(q.from) ?? (q.to ? new Date((at(q.to) as Date).getTime() - days * DAY) : ctx.clock.now());
  return { from, to: at(q.to) ?? new Date(from.getTime() + days * DAY) };
}

/** The context a calendar request runs under: its bearer token's user, else the feed token's. */
async function feedCtx(request: { ctx: Ctx; log: unknown }, token: string | undefined): Promise<Ctx> {
  if (request.ctx.actor.kind !== 'anonymous') return request.ctx;
  if (!token)
    throw new Unauthorized(
      'a calendar feed needs ?token=<feed token> (POST /api/v1/users/:handle/feed-token)',
    );
  const actor = await feedTokenActor(request.ctx.db, token);
  if (!actor) throw new Unauthorized('the feed token is not valid');
  return makeCtx({ db: request.ctx.db, clock: request.ctx.clock, log: request.ctx.log }, actor);
}

const CALENDAR = 'text/calendar; charset=utf-8';

export function registerScheduleRoutes(app: App, deps: RouteDeps): void {
  app.get('/api/v1/schedules', { schema: { tags } }, async (request) => ({
    schedules: await listSchedules({ ctx: request.ctx, input: undefined }),
  }));
  app.post('/api/v1/schedules', { schema: { tags, body: scheduleInputSchema } }, async (request, reply) => {
    const { item } = await saveSchedule({
      ctx: request.ctx,
      input: { schedule: request.body, mode: 'create' },
    });
    reply.status(201);
    return { schedule: item };
  });
  app.get('/api/v1/schedules/:name', { schema: { tags, params: nameParam } }, async (request) => ({
    schedule: await getSchedule({ ctx: request.ctx, input: request.params }),
  }));
  app.put(
    '/api/v1/schedules/:name',
    { schema: { tags, params: nameParam, body: scheduleBodySchema, description: 'create or replace' } },
    async (request, reply) => {
      const { item, change } = await saveSchedule({
        ctx: request.ctx,
        input: { schedule: { ...request.body, name: request.params.name }, mode: 'upsert' },
      });
      if (change === 'created') reply.status(201);
      return { schedule: item, change };
    },
  );
  app.delete('/api/v1/schedules/:name', { schema: { tags, params: nameParam } }, async (request, reply) => {
    await deleteSchedule({ ctx: request.ctx, input: request.params });
    reply.status(204);
  });

  app.get(
    '/api/v1/schedules/:name/on-call',
    {
      schema: {
        tags,
        params: nameParam,
        querystring: z.strictObject({ at: timestampSchema.optional() }),
        summary: 'Who is on call now (or at `at`)',
      },
    },
    async (request) => {
      const [found] = await listOnCall({
        ctx: request.ctx,
        input: { schedule: request.params.name, at: at(request.query.at) },
      });
      return { on_call: found };
    },
  );
  app.get(
    '/api/v1/oncall',
    {
      schema: {
        tags,
        querystring: z.strictObject({
          at: timestampSchema.optional(),
          schedule: z.string().max(63).optional(),
        }),
        summary: 'Who is on call now (or at `at`) in every schedule',
      },
    },
    async (request) => {
      const when = at(request.query.at) ?? request.ctx.clock.now();
      return {
        at: when.toISOString(),
        on_call: await listOnCall({
          ctx: request.ctx,
          input: { schedule: request.query.schedule, at: when },
        }),
      };
    },
  );
  app.get(
    '/api/v1/schedules/:name/shifts',
    {
      schema: {
        tags,
        params: nameParam,
        querystring: rangeQuery(7),
        summary: `Final shifts over [from, to) (at most ${MAX_RANGE_DAYS} days): layers, restrictions and overrides applied`,
      },
    },
    async (request) =>
      getShifts({
        ctx: request.ctx,
        input: { name: request.params.name, ...range(request.ctx, request.query, 7) },
      }),
  );

  app.get(
    '/api/v1/schedules/:name/overrides',
    { schema: { tags, params: nameParam, querystring: rangeQuery(30) } },
    async (request) => ({
      overrides: await listOverrides({
        ctx: request.ctx,
        input: { schedule: request.params.name, ...range(request.ctx, request.query, 30) },
      }),
    }),
  );
  app.post(
    '/api/v1/schedules/:name/overrides',
    {
      schema: {
        tags,
        params: nameParam,
        body: overrideInputSchema,
        description: 'with `replaces`: a swap (only that user’s time); without: instead of everyone',
      },
    },
    async (request, reply) => {
      const override = await createOverride({
        ctx: request.ctx,
        input: { schedule: request.params.name, override: request.body },
      });
      reply.status(201);
      return { override };
    },
  );
  app.delete(
    '/api/v1/schedules/:name/overrides/:id',
    { schema: { tags, params: z.strictObject({ name: z.string().min(1).max(63), id: z.string().max(20) }) } },
    async (request, reply) => {
      await deleteOverride({
        ctx: request.ctx,
        input: { schedule: request.params.name, id: request.params.id },
      });
      reply.status(204);
    },
  );

  // Calendar feeds: public routes that authenticate by the feed token in the URL (or a bearer token).
  const feedQuery = z.strictObject({ token: z.string().max(200).optional() });
  app.get(
    '/api/v1/schedules/:name/ical',
    {
      config: { public: true },
      schema: {
        tags,
        params: nameParam,
        querystring: feedQuery,
        summary: 'iCal feed (text/calendar); ?token=<feed token>',
      },
    },
    async (request, reply) => {
      const ctx = await feedCtx(request, request.query.token);
      const body = await scheduleCalendar({ ctx, input: request.params });
      reply.type(CALENDAR);
      return body;
    },
  );
  app.get(
    '/api/v1/users/:handle/oncall.ical',
    {
      config: { public: true },
      schema: {
        tags,
        params: z.strictObject({ handle: handleSchema }),
        querystring: feedQuery,
        summary: 'iCal feed of one person’s shifts in every schedule; ?token=<feed token>',
      },
    },
    async (request, reply) => {
      const ctx = await feedCtx(request, request.query.token);
      const body = await userCalendar({ ctx, input: request.params });
      reply.type(CALENDAR);
      return body;
    },
  );
  app.post(
    '/api/v1/users/:handle/feed-token',
    {
      schema: {
        tags,
        params: z.strictObject({ handle: handleSchema }),
        summary: 'A new calendar feed token (shown once; replaces the previous one)',
      },
    },
    async (request, reply) => {
      const created = await rotateFeedToken({ ctx: request.ctx, input: { user: request.params.handle } });
      const q = `token=${encodeURIComponent(created.token)}`;
      reply.status(201);
      return {
        feed_token: {
          ...created,
          user_feed_url: `${deps.publicUrl}/api/v1/users/${created.user}/oncall.ical?${q}`,
          schedule_feed_url: `${deps.publicUrl}/api/v1/schedules/{name}/ical?${q}`,
        },
      };
    },
  );
}
