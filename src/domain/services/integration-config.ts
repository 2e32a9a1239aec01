import { z } from 'zod';
import { Invalid } from '../../errors.ts';
import { emailConfigSchema } from '../../integrations/email-in/email-alert.ts';
import { genericWebhookConfigSchema } from '../../integrations/inbound/generic-webhook.ts';
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
