import type { Operation } from '../context.ts';
import { changeAlertStatus } from './change-alert-status.ts';

export function resolveAlert({ ctx, input }: Operation<{ alertId: string }>) {
  return changeAlertStatus(ctx, input.alertId, 'resolved');
}
