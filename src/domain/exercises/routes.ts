import type { App } from '../http-app.ts';
import { cancelExercise } from './cancel-exercise.ts';
import { exerciseIdSchema, listExercisesQuerySchema, scheduleExerciseSchema } from './exercises.ts';
import { listExercises } from './list-exercises.ts';
import { scheduleExercise } from './schedule-exercise.ts';

const tags = ['exercises'];

export function registerExerciseRoutes(app: App): void {
  app.get(
    '/api/v1/exercises',
    {
      schema: { tags, querystring: listExercisesQuerySchema, summary: 'Exercises, latest first' },
    },
    async (request) => ({ exercises: await listExercises({ ctx: request.ctx, input: request.query }) }),
  );
  app.post(
    '/api/v1/exercises',
    {
      schema: {
        tags,
        body: scheduleExerciseSchema,
        summary:
          'Schedule a tabletop exercise or game day: at its time it declares an incident marked exercise (real paging, every message says [EXERCISE])',
      },
    },
    async (request, reply) => {
      const exercise = await scheduleExercise({ ctx: request.ctx, input: request.body });
      return reply.code(201).send({ exercise });
    },
  );
  app.post(
    '/api/v1/exercises/:id/cancel',
    {
      schema: {
        tags,
        params: exerciseIdSchema,
        summary: 'Cancel a scheduled exercise before it starts (managers); 409 once it started',
      },
    },
    async (request) => ({ exercise: await cancelExercise({ ctx: request.ctx, input: request.params }) }),
  );
}
