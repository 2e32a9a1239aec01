import { z } from 'zod';
import { Invalid } from '../../errors.ts';
import { emailConfigSchema } from '../../integrations/email-in/email-alert.ts';
import { datadogConfigSchema } from '../../integrations/inbound/datadog.ts';
import { genericWebhookConfigSchema } from '../../integrations/inbound/generic-webhook.ts';
import { grafanaConfigSchema } from '../../integrations/inbound/grafana.ts';
import { sentryConfigSchema } from '../../integrations/inbound/sentry.ts';
import { heartbeatConfigSchema } from '../heartbeats/heartbeats.ts';
import type { IntegrationType } from './services.ts';

// Kept apart from services.ts: the format modules import services.ts, and this file imports them.
type IntegrationConfig = Record<string, unknown>;
const anyConfig = z.record(z.string(), z.unknown());

/** What `config` each integration type checks (a type not listed takes any object). */
const INTEGRATION_CONFIG_SCHEMAS: Partial<Record<IntegrationType, z.ZodType<IntegrationConfig>>> = {
  heartbeat: heartbeatConfigSchema,
  webhook: genericWebhookConfigSchema as z.ZodType<IntegrationConfig>,
  email: emailConfigSchema as z.ZodType<IntegrationConfig>,
  sentry: sentryConfigSchema as z.ZodType<IntegrationConfig>,
  grafana: grafanaConfigSchema as z.ZodType<IntegrationConfig>,
  datadog: datadogConfigSchema as z.ZodType<IntegrationConfig>,
};

export function integrationConfigSchema(type: IntegrationType): z.ZodType<IntegrationConfig> {
  return INTEGRATION_CONFIG_SCHEMAS[type] ?? anyConfig;
}

/** An integration's config checked for its type, with its defaults; Invalid at `config.<field>`. */
export function parseIntegrationConfig(type: IntegrationType, config: unknown): IntegrationConfig {
  const parsed = integrationConfigSchema(type).safeParse(config ?? {}, {
    error: (issue) => (issue.input === undefined ? 'required' : undefined),
  });
  if (parsed.success) return parsed.data;
  const at = (path: PropertyKey[]) => ['config', ...path.map(String)].join('.');
  throw new Invalid(
    `invalid ${type} config`,
    parsed.error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys'
        ? i.keys.map((key) => ({ path: at([...i.path, key]), message: 'unknown field' }))
        : [{ path: at(i.path), message: i.message }],
    ),
  );
}

/** Config fields that hold a sender's shared secret (signing settings of the inbound formats). */
const SECRET_FIELDS = new Set(['secret', 'clientSecret', 'password']);
const REDACTED = '(secret)';

/**
 * The config with every signing secret replaced, for the audit log and for readers who may not
 * manage the service: like the integration key, a secret stays with those who hold it.
 */
export function redactIntegrationConfig(config: unknown): unknown {
  if (Array.isArray(config)) return config.map(redactIntegrationConfig);
  if (config === null || typeof config !== 'object') return config;
  return Object.fromEntries(
    Object.entries(config).map(([field, value]) => {
      if (SECRET_FIELDS.has(field) && typeof value === 'string') return [field, REDACTED];
      // headerSecret: { name, value }: the name is not secret, the value is.
      if (field === 'headerSecret' && value !== null && typeof value === 'object' && 'value' in value)
        return [field, { ...value, value: REDACTED }];
      return [field, redactIntegrationConfig(value)];
    }),
  );
}
