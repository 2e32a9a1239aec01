import { z } from 'zod';
import { parseAlertGroup } from './alertmanager.ts';
import type { InboundFormat } from './inbound.ts';
import { isRecord, linkOf, text } from './normalise.ts';
import {
  allOf,
  DEFAULT_TOLERANCE_SECONDS,
  headerNameSchema,
  headerValue,
  type SignedRequest,
  sameSecret,
  secretSchema,
  toleranceSchema,
  VERIFIED,
  type Verdict,
  verifyHexSignature,
  verifyTimestamp,
  verifyWith,
} from './signatures.ts';

// Grafana unified alerting's webhook contact point: Alertmanager's payload (Grafana runs an
// Alertmanager inside) plus orgId, state, title, message, and per alert silenceURL, dashboardURL,
// panelURL, imageURL, values and valueString. Same rules: each alert's own status, keyed by its
// fingerprint.

// The contact point's own ways to prove who sends (Grafana 11.x/12+ webhook settings):
// - HMAC Signature: hex HMAC-SHA256 keyed with the secret, in X-Grafana-Alerting-Signature (or the
//   header chosen), of the body, or of "<timestamp>:<body>" when a Timestamp Header is set — that
//   header then carries Unix seconds, checked against the clock to refuse replays;
// - HTTP Basic Authentication (username/password).
// The Authorization-header option is not offered: Tocsin reads "Authorization: Bearer" as an API token.
export const GRAFANA_SIGNATURE_HEADER = 'X-Grafana-Alerting-Signature';

const grafanaFields = {
  hmac: z
    .strictObject({
      secret: secretSchema.describe('the contact point’s HMAC Signature → Secret'),
      header: headerNameSchema.default(GRAFANA_SIGNATURE_HEADER).describe('HMAC Signature → Header'),
      timestampHeader: headerNameSchema
        .optional()
        .describe('HMAC Signature → Timestamp Header; when set, the timestamp is signed and checked'),
      tolerance: toleranceSchema.default(DEFAULT_TOLERANCE_SECONDS),
    })
    .optional()
    .describe('require Grafana’s HMAC signature'),
  basicAuth: z
    .strictObject({ username: z.string().min(1).max(200), password: secretSchema })
    .optional()
    .describe('require the contact point’s Basic Authentication Username/Password'),
};
export const grafanaConfigSchema = z.strictObject(grafanaFields).describe('Grafana integration settings');
// Lenient for stored configs: integrations saved before these settings existed may hold other keys.
const signingSchema = z.object(grafanaFields);
type GrafanaConfig = z.infer<typeof grafanaConfigSchema>;

function verifyHmac(request: SignedRequest, hmac: NonNullable<GrafanaConfig['hmac']>): Verdict {
  if (!hmac.timestampHeader) return verifyHexSignature(request, hmac.header, hmac.secret);
  const timestamp = verifyTimestamp(request, hmac.timestampHeader, hmac.tolerance);
  if (!timestamp.ok) return timestamp;
  return verifyHexSignature(request, hmac.header, hmac.secret, [`${timestamp.value}:`, request.body]);
}

function verifyBasicAuth(request: SignedRequest, basic: NonNullable<GrafanaConfig['basicAuth']>): Verdict {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(headerValue(request.headers, 'authorization') ?? '');
  if (!match?.[1]) return { ok: false, reason: 'Basic authentication is required' };
  const given = Buffer.from(match[1], 'base64').toString('utf8');
  // One comparison of the whole pair: which half was wrong is not revealed.
  return sameSecret(given, `${basic.username}:${basic.password}`)
    ? VERIFIED
    : { ok: false, reason: 'wrong Basic authentication username or password' };
}

export const grafanaFormat: InboundFormat = {
  type: 'grafana',
  verify: (request, config) =>
    verifyWith(signingSchema, config, ({ hmac, basicAuth }) =>
      allOf(
        () => (hmac ? verifyHmac(request, hmac) : VERIFIED),
        () => (basicAuth ? verifyBasicAuth(request, basicAuth) : VERIFIED),
      ),
    ),
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
