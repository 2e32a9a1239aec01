import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { isDuration, parseDuration } from '../lib/duration.ts';

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
    .describe('How often every engine module ticks (a wake-up runs only the modules its work needs)'),
  TOCSIN_OUTBOX_LEASE_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(300_000)
    .describe(
      "How long a message being sent stays claimed before another engine retries it (its sender died); keep it above the providers' 10 s timeout",
    ),
  TOCSIN_SELF_ALERT_SERVICE: z
    .string()
    .min(1)
    .default('tocsin')
    .describe(
      'Service that receives self-alerts when pages stay unsent or the engine falls behind (when the service exists)',
    ),
  TOCSIN_DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10).describe('PostgreSQL pool size'),
  TOCSIN_DB_CONNECT_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(5000)
    .describe('How long a request waits for a PostgreSQL connection before answering 503'),
  TOCSIN_DB_STATEMENT_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(30000)
    .describe('PostgreSQL statement_timeout: a longer statement is cancelled and the request answers 503'),
  TOCSIN_METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe('Bearer token for /metrics and /health/detailed (else they need a manager’s API token)'),
  TOCSIN_METRICS_PORT: port
    .optional()
    .describe('Also serve /metrics and /health/detailed without a token on this port (TOCSIN_METRICS_HOST)'),
  TOCSIN_METRICS_HOST: z
    .string()
    .min(1)
    .default('127.0.0.1')
    .describe('Address the TOCSIN_METRICS_PORT listener binds to'),
  TOCSIN_AUTH_FAILURES_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('Failed token checks per client address and minute before further attempts answer 429'),
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
  TOCSIN_PREPARED: bool
    .default(true)
    .describe(
      'Send a statement text that repeats as a named prepared statement (parsed and planned once per connection); false: every statement unnamed, parsed and planned each time (for comparisons)',
    ),
  TOCSIN_INBOUND_FAST_PATH: bool
    .default(true)
    .describe(
      'Serve the inbound alert endpoints (/v2/enqueue, /api/v1/integrations/…) on a lean path in front of Fastify, with the same answers; false: through Fastify (for comparisons)',
    ),
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
  TOCSIN_SMTP_IN_TLS_CERT: z
    .string()
    .min(1)
    .optional()
    .describe(
      'PEM certificate file (with its chain) the SMTP receiver offers STARTTLS with; unset: no STARTTLS',
    ),
  TOCSIN_SMTP_IN_TLS_KEY: z
    .string()
    .min(1)
    .optional()
    .describe('PEM private key file of TOCSIN_SMTP_IN_TLS_CERT (both or neither)'),
  TOCSIN_SMTP_IN_USER: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Username senders must AUTH (PLAIN/LOGIN) with before the SMTP receiver takes mail; needs TLS'),
  TOCSIN_SMTP_IN_PASSWORD: z
    .string()
    .min(12, 'at least 12 characters')
    .max(512)
    .optional()
    .describe('Password of TOCSIN_SMTP_IN_USER (both or neither)'),
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
  TOCSIN_OUTBOUND_ALLOW: z
    .string()
    .transform((v, ctx) => {
      const entries = v
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e !== '');
      const bad = entries.find((e) => !isOutboundAllowEntry(e));
      if (bad === undefined) return entries;
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(bad)} is not a CIDR, IP address or host name`,
      });
      return z.NEVER;
    })
    .optional()
    .describe(
      'Private/loopback targets outbound requests may reach anyway: CIDRs and host names, comma-separated',
    ),
  TOCSIN_PROMETHEUS_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(
      "Prometheus-compatible HTTP API (its base URL) that the plan's verification checks query; unset: they are ticked by hand",
    ),
  TOCSIN_SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xox[a-z]-\S+$/, 'must be a Slack token (xoxb-…)')
    .optional()
    .describe('Slack bot token for chat.postMessage (channel slack, and chat channels without a webhook)'),
  TOCSIN_SLACK_API_URL: z
    .url({ protocol: /^https?$/ })
    .default('https://slack.com/api')
    .describe('Base URL of the Slack Web API'),
  TOCSIN_SLACK_SIGNING_SECRET: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe(
      "Slack app signing secret; verifies Slack's interactivity requests (Acknowledge button) and /tocsin slash commands",
    ),
  TOCSIN_CHAT_WEBHOOKS: z
    .string()
    .transform(parseChatWebhooks)
    .optional()
    .describe('JSON object: chat channel name → {url, format: slack|teams|mattermost|discord}'),
  TOCSIN_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL')
    .optional()
    .describe(
      'SMTP server for the email channel: smtp://user:pass@host:port (smtps:// for TLS); unset: no email',
    ),
  TOCSIN_SMTP_FROM: z
    .string()
    .min(3)
    .optional()
    .describe(
      'From address of notification emails, e.g. "Tocsin <tocsin@example.com>" (needed with TOCSIN_SMTP_URL)',
    ),
  TOCSIN_GITHUB_REPO: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'owner/name')
    .optional()
    .describe('GitHub repository action items are pushed to as issues (owner/name); unset: no GitHub push'),
  TOCSIN_GITHUB_TOKEN: z
    .string()
    .min(1)
    .optional()
    .describe('GitHub token allowed to create issues in TOCSIN_GITHUB_REPO (needed with it)'),
  TOCSIN_GITHUB_API_URL: z
    .url({ protocol: /^https?$/ })
    .default('https://api.github.com')
    .describe('GitHub REST API base (GitHub Enterprise: https://HOST/api/v3)'),
  TOCSIN_JIRA_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(
      'Jira site action items are pushed to (e.g. https://example.atlassian.net); unset: no Jira push',
    ),
  TOCSIN_JIRA_EMAIL: z.string().min(3).optional().describe('Jira account email (basic auth with the token)'),
  TOCSIN_JIRA_TOKEN: z.string().min(1).optional().describe('Jira API token of TOCSIN_JIRA_EMAIL'),
  TOCSIN_JIRA_PROJECT: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{0,49}$/, 'a Jira project key, e.g. OPS')
    .optional()
    .describe('Jira project key the issues are created in'),
  TOCSIN_JIRA_ISSUE_TYPE: z
    .string()
    .min(1)
    .default('Task')
    .describe('Jira issue type of pushed action items'),
  TOCSIN_NTFY_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('ntfy server for the push channel (e.g. https://ntfy.sh); unset: push is off'),
  TOCSIN_NTFY_TOKEN: z.string().min(1).optional().describe('ntfy access token (Bearer) for protected topics'),
  TOCSIN_TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'must be a Twilio account sid (AC + 32 hex digits)')
    .optional()
    .describe('Twilio account sid for the sms and voice channels; unset: no SMS/voice'),
  TOCSIN_TWILIO_AUTH_TOKEN: z
    .string()
    .min(8)
    .optional()
    .describe('Twilio auth token: API auth and the key of inbound webhook signatures'),
  TOCSIN_TWILIO_FROM: z
    .string()
    .regex(/^\+[1-9]\d{1,14}$/, 'must be an E.164 number like +15005550006')
    .optional()
    .describe('Twilio number SMS and calls come from (E.164)'),
  TOCSIN_PASSWORD_SIGN_IN: bool
    .default(true)
    .describe(
      'Whether people may sign in to the web console with a local password (false: single sign-on only)',
    ),
  TOCSIN_SESSION_IDLE_TIMEOUT: duration('24h').describe(
    'A console session ends after this long without a request (90s, 15m, 4h, 2d, 1w)',
  ),
  TOCSIN_SESSION_MAX_AGE: duration('14d').describe(
    'A console session ends this long after sign-in, used or not',
  ),
  TOCSIN_OIDC_PROVIDERS: z
    .string()
    .transform(parseOidcProviders)
    .optional()
    .describe(
      'JSON array of OpenID Connect providers for single sign-on: [{id, name, issuer, client_id, client_secret, default_role, create_users, groups_claim, role_map, scopes}] (see README)',
    ),
  TOCSIN_WEB_DIR: z
    .string()
    .min(1)
    .optional()
    .describe('Directory of the built web console served at / (default: web/dist of the installation)'),
  TOCSIN_TWILIO_API_URL: z
    .url({ protocol: /^https?$/ })
    .default('https://api.twilio.com')
    .describe('Base URL of the Twilio REST API (or a compatible service)'),
});

export type Env = z.infer<typeof envSchema>;

function duration(fallback: string) {
  return z
    .string()
    .default(fallback)
    .refine(isDuration, 'must be a duration like 90s, 15m, 4h, 2d or 1w')
    .transform(parseDuration);
}

const SIGN_IN_ROLES = ['viewer', 'responder', 'manager', 'admin'] as const;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const oidcProviderSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'lowercase letters, digits and "-", up to 31 characters'),
  name: z.string().min(1).max(60),
  // OpenID Connect needs TLS; plain http only for a provider on this machine (tests, development).
  issuer: z
    .url({ protocol: /^https?$/ })
    .refine(
      (u) => u.startsWith('https:') || LOOPBACK_HOSTS.has(new URL(u).hostname),
      'must be https (http only on loopback)',
    ),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  default_role: z.enum(SIGN_IN_ROLES).default('responder'),
  create_users: z.boolean().default(true),
  groups_claim: z.string().min(1).optional(),
  role_map: z.record(z.string().min(1), z.enum(SIGN_IN_ROLES)).optional(),
  scopes: z.array(z.string().min(1)).default(['openid', 'email', 'profile']),
});
export type OidcProviderEnv = z.infer<typeof oidcProviderSchema>;

/** TOCSIN_OIDC_PROVIDERS: JSON text → providers; a bad entry names its path. */
function parseOidcProviders(text: string, ctx: z.RefinementCtx): OidcProviderEnv[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not JSON (${(error as Error).message})` });
    return z.NEVER;
  }
  const parsed = z
    .array(oidcProviderSchema)
    .refine((list) => new Set(list.map((p) => p.id)).size === list.length, 'two providers share an id')
    .safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'the value';
    ctx.addIssue({ code: 'custom', message: `${where}: ${issue?.message}` });
    return z.NEVER;
  }
  return parsed.data;
}

export const CHAT_WEBHOOK_FORMATS = ['slack', 'teams', 'mattermost', 'discord'] as const;
export type ChatWebhookFormat = (typeof CHAT_WEBHOOK_FORMATS)[number];

const chatWebhookSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  format: z.enum(CHAT_WEBHOOK_FORMATS),
});
export type ChatWebhook = z.infer<typeof chatWebhookSchema>;

/** A chat channel name as routes are keyed: lower case, with its `#`. */
export function chatChannelKey(name: string): string {
  const trimmed = name.trim().toLowerCase();
  return trimmed.startsWith('#') ? trimmed : `#${trimmed}`;
}

/** TOCSIN_CHAT_WEBHOOKS: JSON text → channel key → webhook; a bad entry names its path. */
function parseChatWebhooks(text: string, ctx: z.RefinementCtx): Record<string, ChatWebhook> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not JSON (${(error as Error).message})` });
    return z.NEVER;
  }
  const parsed = z.record(z.string().regex(/\S/, 'empty channel name'), chatWebhookSchema).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.map((p) => JSON.stringify(p)).join('.') : 'the value';
    ctx.addIssue({ code: 'custom', message: `${where}: ${issue?.message}` });
    return z.NEVER;
  }
  return Object.fromEntries(Object.entries(parsed.data).map(([name, hook]) => [chatChannelKey(name), hook]));
}

/** Whether one TOCSIN_OUTBOUND_ALLOW entry is a CIDR, an IP address or a host name (`*.` allowed). */
export function isOutboundAllowEntry(entry: string): boolean {
  return (
    ipaddr.isValidCIDR(entry) ||
    ipaddr.isValid(entry) ||
    /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(entry)
  );
}

export class ConfigError extends Error {}

const SECRET_VARIABLE =
  /TOKEN|SECRET|PASSWORD|WEBHOOKS|OIDC_PROVIDERS|DATABASE_URL|SMTP_URL|PROMETHEUS_URL|SID$/;

const NAMES = Object.keys(envSchema.shape);
/** The last parse of process.env and the values it was made from (see loadEnv). */
let lastParse: { values: string; env: Env } | undefined;

/**
 * Parses the environment; a bad value becomes one line naming the variable and the reason. Request
 * paths read it too (the public URL of a page, Prometheus for a transition): a parse of
 * process.env is reused while none of its variables changed (tests change them), so a request
 * costs a read of each variable instead of a zod parse of all of them. Treat the result as read-only.
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  if (source !== process.env) return parseEnv(source);
  const values = NAMES.map((k) => source[k] ?? '').join('\u0000');
  if (lastParse?.values === values) return lastParse.env;
  const env = parseEnv(source);
  lastParse = { values, env };
  return env;
}

function parseEnv(source: NodeJS.ProcessEnv): Env {
  const present = Object.fromEntries(
    NAMES.filter((k) => source[k] !== undefined && source[k] !== '').map((k) => [k, source[k]]),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    // Tokens, secrets and URLs that may carry credentials are not echoed into logs.
    const shown = SECRET_VARIABLE.test(name) ? '(value hidden)' : JSON.stringify(source[name]);
    throw new ConfigError(`invalid environment variable ${name}=${shown}: ${issue?.message}`);
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

/** The base URL of links in messages (acknowledge links, integration URLs). */
export function publicUrlOf(env: Env): string {
  return (env.TOCSIN_PUBLIC_URL ?? `http://localhost:${env.TOCSIN_PORT}`).replace(/\/+$/, '');
}
