import { z } from 'zod';

// Every environment variable Tocsin reads, validated once at start. README's configuration table
// lists the same names; src/config/env.test.ts fails when the two drift apart.
const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const port = z.coerce.number().int().min(0).max(65535);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const envSchema = z.object({
  TOCSIN_PORT: port.default(8080).describe('HTTP port of the API, web UI and status page'),
  TOCSIN_HOST: z.string().min(1).default('0.0.0.0').describe('Address the HTTP server binds to'),
  TOCSIN_DATA_DIR: z
    .string()
    .min(1)
    .default('./data')
    .describe('Directory of the embedded PostgreSQL (used when DATABASE_URL is not set)'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional()
    .describe('External PostgreSQL 15+; overrides the embedded store'),
  TOCSIN_PUBLIC_URL: z
    .url()
    .optional()
    .describe('Base URL used in links inside messages (default http://localhost:<port>)'),
  TOCSIN_ADMIN_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe("On first start, becomes the admin's API token (for automation)"),
  TOCSIN_LOG_LEVEL: z.enum(logLevels).default('info').describe('pino log level'),
  TOCSIN_TOKEN: z.string().optional().describe('API token the CLI sends with --url'),
  TOCSIN_URL: z.url().optional().describe('Server the CLI talks to (same as --url)'),
  TOCSIN_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1_048_576)
    .describe('Largest accepted request body in bytes'),
  TOCSIN_ENGINE_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(50)
    .default(1000)
    .describe('How often each engine module ticks'),
  TOCSIN_DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10).describe('PostgreSQL pool size'),
  TOCSIN_INGEST_KEY_RATE: z.coerce
    .number()
    .min(0)
    .default(10)
    .describe(
      'Inbound repeats per second per integration and dedup key before the excess is shed (0: no limit)',
    ),
  TOCSIN_INGEST_KEY_BURST: z.coerce
    .number()
    .int()
    .min(1)
    .default(100)
    .describe('Inbound repeats of one key accepted at once before TOCSIN_INGEST_KEY_RATE applies'),
  TOCSIN_INGEST_QUEUE_LIMIT: z.coerce
    .number()
    .int()
    .min(1)
    .default(10_000)
    .describe('Inbound alert events waiting to be stored beyond which senders get 503 (retry later)'),
  TOCSIN_SMTP_PORT: port
    .optional()
    .describe('Port of the built-in SMTP receiver for email integrations (<key>@<domain>); unset: off'),
  TOCSIN_SMTP_HOST: z.string().min(1).default('0.0.0.0').describe('Address the SMTP receiver binds to'),
  TOCSIN_ALLOW_PRIVATE_WEBHOOKS: bool
    .default(false)
    .describe(
      'Allow outbound requests (webhooks, HTTP checks, vendor status pages) to private/loopback addresses',
    ),
  TOCSIN_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]{16,}={0,2}$/, 'must be whsec_ followed by at least 12 bytes of base64')
    .optional()
    .describe('Standard Webhooks signing secret (whsec_<base64>) for outgoing webhooks; unset: unsigned'),
});

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {}

/** Parses the environment; a bad value becomes one line naming the variable and the reason. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const present = Object.fromEntries(
    Object.keys(envSchema.shape)
      .filter((k) => source[k] !== undefined && source[k] !== '')
      .map((k) => [k, source[k]]),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(
      `invalid environment variable ${name}=${JSON.stringify(source[name])}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

/** Name, default and description of every variable, for the README table and `tocsin --help`. */
export function describeEnv(): { name: string; default: string; description: string }[] {
  return Object.entries(envSchema.shape).map(([name, schema]) => {
    const parsedDefault = schema.safeParse(undefined);
    return {
      name,
      default: parsedDefault.success && parsedDefault.data !== undefined ? String(parsedDefault.data) : '',
      description: schema.description ?? '',
    };
  });
}
