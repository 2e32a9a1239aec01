import { z } from 'zod';
import type { App } from '../http-app.ts';
import { incidentIdSchema } from '../incidents/inputs.ts';
import { listIncidentAlerts } from './list-incident-alerts.ts';

export function registerAlertRuleRoutes(app: App): void {
  app.get(
    '/api/v1/incidents/:id/alerts',
    {
      schema: {
        tags: ['incidents'],
        params: z.strictObject({ id: incidentIdSchema }),
        description:
          'The alerts that fed the incident; each one’s routing says whether it declared or joined it',
      },
    },
    async (request) => ({
      alerts: await listIncidentAlerts({ ctx: request.ctx, input: { incidentId: request.params.id } }),
    }),
  );
}
