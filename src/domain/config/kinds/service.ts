import { z } from 'zod';
import { type AppError, Conflict, Invalid } from '../../../errors.ts';
import type { SourceDocument, SourceError } from '../../../lib/yaml-source.ts';
import type { Ctx } from '../../context.ts';
import { parseIntegrationConfig } from '../../services/integration-config.ts';
import * as services from '../../services/queries.ts';
import { saveIntegration } from '../../services/save-integration.ts';
import { saveService } from '../../services/save-service.ts';
import {
  type IntegrationType,
  integrationInputSchema,
  integrationKeySchema,
  serviceInputSchema,
} from '../../services/services.ts';
import {
  type Diff,
  defineKind,
  diffAgainst,
  documentSchema,
  errorAt,
  type FieldChange,
  parseDocument,
} from '../config.ts';

// kind: Service — a service, its alert-to-incident rules and its integrations. Teams and Plans it names
// come from the same apply or the store.
//   apiVersion: tocsin.dev/v1
//   kind: Service
//   metadata: { name: payments, description: Card payments }
//   spec:
//     team: platform
//     plan: marketing-platform
//     escalationPolicy: primary
//     rules: { severity: { critical: P1, error: P2 }, grace: 5m, groupWindow: 30m, autoResolve: 4h }
//     integrations:
//       - { name: prometheus, type: alertmanager }                # key generated once, kept after
//       - { name: pd, type: pagerduty, key: 0123…(32) }           # key given in the file
//       - { name: ci, type: webhook, keyFromEnv: TOCSIN_CI_KEY }  # key read from the environment
//       - { name: nightly-backup, type: heartbeat, config: { interval: 1d, grace: 1h } }
// Integrations the service has but the file does not list are left alone (and reported as such).

/**
 * Only TOCSIN_…KEY variables may be named: the document may come from anyone allowed to apply it
 * (through the server too), and must not be able to copy any other secret of the process into a key.
 */
const ENV_NAME = /^TOCSIN_[A-Z0-9_]*KEY$/;

const integrationEntry = z.strictObject({
  name: integrationInputSchema.shape.name,
  type: integrationInputSchema.shape.type,
  key: integrationKeySchema.optional().describe('default: generated on the first apply, then kept'),
  keyFromEnv: z
    .string()
    .regex(ENV_NAME, 'name an environment variable TOCSIN_…KEY')
    .optional()
    .describe('read the key from this environment variable when applying'),
  config: z.record(z.string(), z.unknown()).default({}),
});

export const serviceDocumentSchema = documentSchema(
  'Service',
  z.strictObject({
    name: serviceInputSchema.shape.name,
    description: serviceInputSchema.shape.description,
  }),
  z
    .strictObject({
      team: serviceInputSchema.shape.team,
      plan: serviceInputSchema.shape.plan,
      escalationPolicy: serviceInputSchema.shape.escalation_policy,
      rules: serviceInputSchema.shape.rules,
      integrations: z.array(integrationEntry).default([]),
    })
    .prefault({}),
);
type ParsedServiceDocument = z.output<typeof serviceDocumentSchema>;

/** An integration as applied: name defaulted, config checked for its type, key resolved. */
interface ServiceIntegration {
  name: string;
  type: IntegrationType;
  /** Undefined: generated on creation, then kept. */
  key: string | undefined;
  config: Record<string, unknown>;
}

interface ServiceDocument {
  metadata: ParsedServiceDocument['metadata'];
  spec: Omit<ParsedServiceDocument['spec'], 'integrations'> & { integrations: ServiceIntegration[] };
}

type Env = Record<string, string | undefined>;

/** Checks one integration entry beyond its schema; errors point into the document. */
function resolveIntegration(
  doc: SourceDocument,
  entry: ParsedServiceDocument['spec']['integrations'][number],
  index: number,
  env: Env,
): { value?: ServiceIntegration; errors: SourceError[] } {
  const at = (...path: PropertyKey[]) => ['spec', 'integrations', index, ...path];
  const errors: SourceError[] = [];
  let config: Record<string, unknown> = {};
  try {
    config = parseIntegrationConfig(entry.type, entry.config);
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    for (const d of error.details) {
      const path = at(...d.path.split('.'));
      errors.push(errorAt(doc, path, `${path.join('.')}: ${d.message}`));
    }
  }
  let key = entry.key;
  if (entry.keyFromEnv !== undefined) {
    const variable = entry.keyFromEnv;
    const value = env[variable];
    // Never echo the value: it is a secret, right or wrong.
    const problem =
      entry.key !== undefined
        ? 'give key or keyFromEnv, not both'
        : !value
          ? `environment variable ${variable} is not set`
          : !integrationKeySchema.safeParse(value).success
            ? `${variable} does not hold a key (32 letters or digits)`
            : undefined;
    if (problem) errors.push(errorAt(doc, at('keyFromEnv'), problem));
    else key = value;
  }
  if (errors.length > 0) return { errors };
  return { value: { name: entry.name ?? entry.type, type: entry.type, key, config }, errors };
}

export function validateServiceDocument(doc: SourceDocument, env: Env = process.env) {
  const parsed = parseDocument(serviceDocumentSchema, doc);
  if (parsed.errors) return parsed;
  const errors: SourceError[] = [];
  const integrations: ServiceIntegration[] = [];
  const seen = new Set<string>();
  parsed.value.spec.integrations.forEach((entry, i) => {
    const name = entry.name ?? entry.type;
    if (seen.has(name)) {
      const where = ['spec', 'integrations', i, entry.name === undefined ? 'type' : 'name'];
      errors.push(errorAt(doc, where, `integration "${name}" is listed twice`));
    }
    seen.add(name);
    const one = resolveIntegration(doc, entry, i, env);
    errors.push(...one.errors);
    if (one.value) integrations.push(one.value);
  });
  if (errors.length > 0) return { errors };
  const value: ServiceDocument = { ...parsed.value, spec: { ...parsed.value.spec, integrations } };
  return { value };
}

/** What a document sets, in the shape both sides of a diff share (keys are compared apart). */
function wanted(doc: ServiceDocument) {
  const s = doc.spec;
  return {
    description: doc.metadata.description,
    team: s.team ?? null,
    plan: s.plan ?? null,
    escalationPolicy: s.escalationPolicy ?? null,
    rules: s.rules,
    integrations: Object.fromEntries(s.integrations.map((i) => [i.name, { type: i.type, config: i.config }])),
  };
}

async function diffService(ctx: Ctx, doc: ServiceDocument): Promise<Diff> {
  const service = await services.findServiceWithTeam(ctx.db, doc.metadata.name);
  if (!service) return diffAgainst(undefined, wanted(doc));
  const stored = await services.listIntegrations(ctx.db, service.id);
  const listed = new Map(doc.spec.integrations.map((i) => [i.name, i]));
  const inFile = stored.filter((i) => listed.has(i.name));
  const diff = diffAgainst(
    {
      description: service.description,
      team: service.team,
      plan: service.plan_name,
      escalationPolicy: service.escalation_policy,
      rules: service.rules,
      integrations: Object.fromEntries(inFile.map((i) => [i.name, { type: i.type, config: i.config }])),
    },
    wanted(doc),
  );
  // Keys are secrets: a diff says that one changes, never what it is.
  const keys: FieldChange[] = inFile
    .filter((i) => {
      const key = listed.get(i.name)?.key;
      return key !== undefined && key !== i.key;
    })
    .map((i) => ({ path: `integrations.${i.name}.key`, before: '(secret)', after: 'key changed' }));
  const notInFile: FieldChange[] = stored
    .filter((i) => !listed.has(i.name))
    .map((i) => ({ path: `integrations.${i.name}`, before: i.type, after: 'not in file: left alone' }));
  const fields = [...diff.fields, ...keys, ...notInFile];
  const changed = diff.change === 'updated' || keys.length > 0;
  return { change: changed ? 'updated' : 'unchanged', fields };
}

/** An integration's error, placed at that integration of the document. */
function atIntegration(error: AppError, index: number): AppError {
  const details =
    error.details.length > 0
      ? error.details.map((d) => ({ path: `integrations.${index}.${d.path}`, message: d.message }))
      : [{ path: `integrations.${index}.name`, message: error.message }];
  return error instanceof Conflict
    ? new Conflict(error.message, details)
    : new Invalid(error.message, details);
}

export const serviceKind = defineKind<ServiceDocument>({
  kind: 'Service',
  order: 40,
  permission: 'service:write',
  validate: (doc) => validateServiceDocument(doc),
  name: (doc) => doc.metadata.name,
  plan: diffService,
  async apply(ctx, doc) {
    const s = doc.spec;
    const saved = await saveService({
      ctx,
      input: {
        service: {
          name: doc.metadata.name,
          description: doc.metadata.description,
          team: s.team ?? null,
          plan: s.plan ?? null,
          escalation_policy: s.escalationPolicy ?? null,
          rules: s.rules,
        },
        mode: 'upsert',
      },
    });
    let changed = saved.change !== 'unchanged';
    for (const [index, i] of s.integrations.entries()) {
      try {
        const { change } = await saveIntegration({
          ctx,
          input: {
            integration: {
              service: doc.metadata.name,
              name: i.name,
              type: i.type,
              key: i.key,
              config: i.config,
            },
            mode: 'upsert',
          },
        });
        if (change !== 'unchanged') changed = true;
      } catch (error) {
        if (error instanceof Invalid || error instanceof Conflict) throw atIntegration(error, index);
        throw error;
      }
    }
    if (saved.change === 'created') return 'created';
    return changed ? 'updated' : 'unchanged';
  },
  locate: (detailPath) => {
    if (detailPath === 'name' || detailPath === 'description') return ['metadata', detailPath];
    if (detailPath === 'escalation_policy') return ['spec', 'escalationPolicy'];
    return ['spec', ...detailPath.split('.')];
  },
});
