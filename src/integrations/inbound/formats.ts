import { alertmanagerFormat } from './alertmanager.ts';
import { datadogFormat } from './datadog.ts';
import { genericWebhookFormat } from './generic-webhook.ts';
import { grafanaFormat } from './grafana.ts';
import type { InboundFormat } from './inbound.ts';
import { sentryFormat } from './sentry.ts';

// Every format served at /api/v1/integrations/<type>/:key, registered in one place.
export const FORMATS: InboundFormat[] = [
  alertmanagerFormat,
  grafanaFormat,
  datadogFormat,
  sentryFormat,
  genericWebhookFormat,
];

export function formatFor(type: string): InboundFormat | undefined {
  return FORMATS.find((f) => f.type === type);
}
