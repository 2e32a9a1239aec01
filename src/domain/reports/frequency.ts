import { DateTime } from 'luxon';
import type { Operation } from '../context.ts';
import { periodOf, type ReportInput, reportScope } from './period.ts';
import * as q from './queries.ts';
import type { Bucket, FrequencyBucket, Period } from './reports.ts';

export interface FrequencyReport {
  period: Period;
  bucket: Bucket;
  buckets: FrequencyBucket[];
}

/** Every bucket the period touches, oldest first (the first may start before the period). */
function bucketsOf(from: Date, to: Date, bucket: Bucket): { start: Date; end: Date }[] {
  const out: { start: Date; end: Date }[] = [];
  let at = DateTime.fromJSDate(from, { zone: 'utc' }).startOf(bucket);
  while (at.toMillis() < to.getTime()) {
    const next = at.plus(bucket === 'week' ? { weeks: 1 } : { months: 1 });
    out.push({ start: at.toJSDate(), end: next.toJSDate() });
    at = next;
  }
  return out;
}

/**
 * Incident frequency over the period: how many incidents were declared per week or month, in all
 * and per severity. Every bucket is listed, empty ones with 0, so a trend reads straight off it.
 */
export async function getFrequency({
  ctx,
  input,
}: Operation<ReportInput & { bucket: Bucket }>): Promise<FrequencyReport> {
  ctx.require('read');
  const scope = await reportScope(ctx, input);
  const counts = await q.countsPerBucket(ctx.db, scope, input.bucket);
  const buckets = bucketsOf(scope.from, scope.to, input.bucket).map((b): FrequencyBucket => {
    const mine = counts.filter((c) => new Date(c.start).getTime() === b.start.getTime());
    return {
      ...b,
      incidents: mine.reduce((n, c) => n + Number(c.n), 0),
      by_severity: Object.fromEntries(mine.map((c) => [c.severity, Number(c.n)])),
    };
  });
  return { period: periodOf(scope), bucket: input.bucket, buckets };
}
