import { z } from 'zod';

// What "run a drill" accepts (POST /api/v1/plans/:name/drill); the console checks its form with it.
export const drillBodySchema = z.strictObject({ severity: z.string().min(1).max(100).optional() });
export type DrillBody = z.infer<typeof drillBodySchema>;
