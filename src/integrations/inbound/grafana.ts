import { parseAlertGroup } from './alertmanager.ts';
import type { InboundFormat } from './inbound.ts';
import { isRecord, linkOf, text } from './normalise.ts';

// Grafana unified alerting's webhook contact point: Alertmanager's payload (Grafana runs an
// Alertmanager inside) plus orgId, state, title, message, and per alert silenceURL, dashboardURL,
// panelURL, imageURL, values and valueString. Same rules: each alert's own status, keyed by its
// fingerprint.

export const grafanaFormat: InboundFormat = {
  type: 'grafana',
  parse: (body) =>
    parseAlertGroup(body, {
      name: 'Grafana',
      externalUrlText: 'Grafana',
      extra: (alert, group) => {
        const image = text(alert.imageURL);
        return {
          summary: text(group.title),
          links: [
            ...linkOf(alert.silenceURL, 'Silence'),
            ...linkOf(alert.dashboardURL, 'Dashboard'),
            ...linkOf(alert.panelURL, 'Panel'),
          ],
          images: image ? [{ src: image, alt: 'panel' }] : undefined,
          details: {
            org_id: group.orgId,
            ...(isRecord(alert.values) ? { values: alert.values } : {}),
            ...(typeof alert.valueString === 'string' ? { value_string: alert.valueString } : {}),
          },
        };
      },
    }),
};
