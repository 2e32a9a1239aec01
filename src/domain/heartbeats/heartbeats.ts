import { z } from 'zod';
import { isDuration, parseDuration } from '../../lib/duration.ts';

// Heartbeats: a cron job or a batch pings its integration's URL; when the pings stop for longer than
// the interval plus the grace, the engine raises an alert, and the next ping resolves it.

const positiveDuration = z
  .string()
  .refine(isDuration, { message: 'not a duration (use 90s, 15m, 4h, 2d, 1w)' })
  // Guarded so a malformed value reports one error (above), not two.
  .refine((d) => !isDuration(d) || parseDuration(d) > 0, { message: 'must be longer than 0s' });

/** `config` of an integration of type heartbeat. */
export const heartbeatConfigSchema = z.strictObject({
  interval: positiveDuration.describe('how often the sender pings, e.g. 5m or 1d'),
  grace: z
    .string()
    .refine(isDuration, { message: 'not a duration (use 90s, 15m, 4h, 2d, 1w)' })
    .default('0s')
    .describe('how late a ping may be before the heartbeat counts as silent'),
});
export type HeartbeatConfig = z.output<typeof heartbeatConfigSchema>;

/** The alert of a silent heartbeat: one per integration, so a ping can resolve it by key. */
export function heartbeatDedupKey(integrationName: string): string {
  return `heartbeat:${integrationName}`;
}

/** How long after its last sign of life a heartbeat counts as silent. */
export function silenceAfterMs(config: HeartbeatConfig): number {
  return parseDuration(config.interval) + parseDuration(config.grace);
}

/** When the next ping is due at the latest (last ping, or creation if none, + interval + grace). */
export function expectedBy(lastSignOfLife: Date, config: HeartbeatConfig): Date {
  return new Date(lastSignOfLife.getTime() + silenceAfterMs(config));
}

export function silentSummary(integrationName: string, serviceName: string, since: Date): string {
  return `Heartbeat ${integrationName} of ${serviceName} is silent since ${since.toISOString()}`;
}
