import { z } from 'zod';
import { PLACEHOLDER_PREFIXES, PLACEHOLDERS, placeholdersFor } from './placeholders.ts';
import { type FieldUse, listedUse } from './plan-fields.ts';
import { planSchema } from './plan-schema.ts';
import { PAGE_TARGET_KINDS } from './target-kinds.ts';

// The published forms of the plan format, both generated from plan-schema.ts: the JSON Schema (for
// editor completion, and served at GET /api/v1/plans/schema.json) and docs/plan-reference.md.
// scripts/generate-plan-docs.ts writes them; plan-docs.test.ts fails when the committed files drift.

export type JsonSchema = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minItems?: number;
  minimum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  [key: string]: unknown;
};

let jsonSchema: JsonSchema | undefined;

/** The JSON Schema of a plan file as written (input: fields with defaults are optional). */
export function planJsonSchema(): JsonSchema {
  if (!jsonSchema) {
    const schema = z.toJSONSchema(planSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    const { $schema, ...rest } = schema;
    jsonSchema = { $schema, title: 'Tocsin plan (apiVersion tocsin.dev/v1, kind Plan)', ...rest };
  }
  return structuredClone(jsonSchema);
}

export function planJsonSchemaText(): string {
  return `${JSON.stringify(planJsonSchema(), null, 2)}\n`;
}

// --- fields and whether Tocsin acts on them (plan-fields.ts) ------------------------------------

/**
 * Calls `visit` for each field of a schema: `path` names it as the reference does (`a[].b`,
 * `a.<name>.b`) and `schema` is its own. Fields of union variants are merged under one path.
 */
export function eachField(
  path: string,
  s: JsonSchema,
  visit: (path: string, key: string, schema: JsonSchema) => void,
): void {
  if (s.type === 'array' && s.items) eachField(`${path}[]`, s.items, visit);
  else if (isMap(s)) eachField(`${path}.<name>`, s.additionalProperties as JsonSchema, visit);
  else if (s.anyOf) for (const v of s.anyOf) eachField(path, v, visit);
  else if (isObject(s))
    for (const [key, p] of Object.entries(s.properties ?? {})) visit(path ? `${path}.${key}` : key, key, p);
}

/** Every field path of the plan schema with the paths of its own fields (none for a leaf). */
export function planFields(): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  const walk = (path: string, s: JsonSchema): string[] => {
    const children: string[] = [];
    eachField(path, s, (child, _key, p) => {
      if (fields.has(child)) return;
      fields.set(child, []);
      fields.set(child, walk(child, p));
      children.push(child);
    });
    return children;
  };
  walk('', planJsonSchema());
  return fields;
}

/** 'partly': some parts are stored only, the rest is text. */
export type DerivedUse = FieldUse | 'partly';

/**
 * Each field's use: a leaf's is listed in plan-fields.ts (itself or an ancestor); a field holding
 * others is what they all are, or acted on when any part is.
 */
export function planFieldUses(): Map<string, DerivedUse> {
  const fields = planFields();
  const uses = new Map<string, DerivedUse>();
  const derive = (path: string): DerivedUse => {
    const known = uses.get(path);
    if (known) return known;
    const children = fields.get(path) ?? [];
    let use: DerivedUse;
    if (children.length === 0) use = listedUse(path) ?? 'stored';
    else {
      const all = new Set(children.map(derive));
      use = all.size === 1 ? ([...all][0] as DerivedUse) : all.has('acted') ? 'acted' : 'partly';
    }
    uses.set(path, use);
    return use;
  };
  for (const path of fields.keys()) derive(path);
  return uses;
}

const USE_CELL: Record<DerivedUse, string> = {
  acted: 'acted on',
  text: 'text',
  stored: '**stored only**',
  partly: 'text; parts **stored only**',
};

// --- the reference document -----------------------------------------------------------------------

const DURATION_PATTERN = '^(\\d+[smhdw])+$';
const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*$';

const isObject = (s: JsonSchema) => s.type === 'object' && s.properties !== undefined;
const isMap = (s: JsonSchema) =>
  s.type === 'object' && s.properties === undefined && typeof s.additionalProperties === 'object';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

const sentence = (text: string) => (text === '' || /[.!?]$/.test(text) ? text : `${text}.`);

// Durations of the workflow schema carry no pattern, only their description.
const isDuration = (s: JsonSchema) =>
  s.pattern === DURATION_PATTERN || (s.description ?? '').startsWith('Duration such as');

// Targets, deadlines and timers that may count business time (plan-schema.ts planDuration).
const isPlanDuration = (s: JsonSchema) =>
  (s.pattern ?? '').includes('b[mhd]') ||
  (s.description ?? '').startsWith('Duration such as 15m, 4h, 2d, or business');

function typeOf(s: JsonSchema): string {
  if (s.anyOf) return s.anyOf.map(typeOf).join(' or ');
  if (Array.isArray(s.type)) return 'scalar';
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(', ');
  if (s.type === 'array') return `list of ${s.items ? typeOf(s.items) : 'values'}`;
  if (isMap(s)) {
    const key = s.propertyNames?.pattern ? 'code' : 'name';
    return `map of ${key} → ${typeOf(s.additionalProperties as JsonSchema)}`;
  }
  if (isObject(s)) return 'object';
  if (s.type === 'string') {
    if (isPlanDuration(s)) return 'duration or business time';
    if (isDuration(s)) return 'duration';
    if (s.pattern === ID_PATTERN) return 'id';
    return 'text';
  }
  if (s.type === 'integer') return 'integer';
  return String(s.type ?? 'any');
}

function defaultOf(s: JsonSchema): string {
  if (s.default === undefined) return '';
  const d = JSON.stringify(s.default);
  return d === '{}' || d === '[]' ? '' : `\`${d}\``;
}

interface Section {
  path: string;
  description?: string | undefined;
  lines: string[];
}

function propertyTable(path: string, s: JsonSchema, uses: Map<string, DerivedUse>): string[] {
  const required = new Set(s.required ?? []);
  const rows = Object.entries(s.properties ?? {}).map(([key, p]) => {
    const notes = [sentence(p.description ?? ''), defaultOf(p) ? `Default ${defaultOf(p)}.` : ''].filter(
      Boolean,
    );
    const use = USE_CELL[uses.get(path ? `${path}.${key}` : key) ?? 'stored'];
    return `| \`${key}\`${required.has(key) ? ' **(required)**' : ''} | ${cell(typeOf(p))} | ${use} | ${cell(notes.join(' '))} |`;
  });
  return ['| key | type | Tocsin | description |', '|---|---|---|---|', ...rows];
}

/** Sections for an object and, depth first, for every object inside it. */
function collect(path: string, s: JsonSchema, out: Section[], uses: Map<string, DerivedUse>): void {
  if (s.type === 'array' && s.items) collect(`${path}[]`, s.items, out, uses);
  else if (isMap(s)) collect(`${path}.<name>`, s.additionalProperties as JsonSchema, out, uses);
  else if (s.anyOf) collectUnion(path, s, out, uses);
  else if (isObject(s)) collectObject(path, s, out, uses);
}

function collectObject(path: string, s: JsonSchema, out: Section[], uses: Map<string, DerivedUse>): void {
  out.push({ path, description: s.description, lines: propertyTable(path, s, uses) });
  for (const [key, p] of Object.entries(s.properties ?? {}))
    collect(path ? `${path}.${key}` : key, p, out, uses);
}

/** A union: single-key objects read as "exactly one of these keys"; other objects as forms. */
function collectUnion(path: string, s: JsonSchema, out: Section[], uses: Map<string, DerivedUse>): void {
  const objects = (s.anyOf ?? []).filter(isObject);
  if (objects.length === 0) return;
  const singleKey = objects.every((o) => Object.keys(o.properties ?? {}).length === 1);
  if (singleKey) {
    const merged: JsonSchema = {
      type: 'object',
      properties: Object.assign({}, ...objects.map((o) => o.properties)),
    };
    const others = (s.anyOf ?? []).filter((v) => !isObject(v));
    const also = others.length > 0 ? ` Also accepted: ${others.map(typeOf).join(' or ')}.` : '';
    out.push({
      path,
      description: `${s.description ? `${s.description}. ` : ''}Exactly one of these keys.${also}`,
      lines: propertyTable(path, merged, uses),
    });
    for (const [key, p] of Object.entries(merged.properties ?? {})) collect(`${path}.${key}`, p, out, uses);
    return;
  }
  objects.forEach((o, i) => {
    const form = objects.length > 1 ? `${path} (form ${i + 1})` : path;
    const scalars = (s.anyOf ?? []).filter((v) => !isObject(v));
    const note = scalars.length > 0 && i === 0 ? ` Or written as ${scalars.map(typeOf).join(' or ')}.` : '';
    out.push({
      path: form,
      description: `${sentence(o.description ?? s.description ?? '')}${note}`.trim(),
      lines: [],
    });
    const last = out.length - 1;
    const section = out[last] as Section;
    section.lines = propertyTable(path, o, uses);
    for (const [key, p] of Object.entries(o.properties ?? {})) collect(`${path}.${key}`, p, out, uses);
  });
}

const anchor = (path: string) =>
  path
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');

const INTRO = `# Plan file reference

<!-- Generated from src/domain/plans/plan-schema.ts by \`npm run docs:plan\`; do not edit by hand. -->

A plan file is a YAML document (\`apiVersion: tocsin.dev/v1\`, \`kind: Plan\`) that holds every rule of
a team's incident response plan: severities and their targets, roles, the lifecycle, paging and
escalation, update cadence, languages, approvals, templates, verification, post-mortems, goals and
\`workflows\` (when / if / then rules). \`examples/plans/\` holds six complete plans.

- Check a plan with \`tocsin plan validate FILE…\`; every error is reported as \`file:line:col: message\`,
  and every stored-only field it uses as a \`file:line:col: warning\` (see below).
- Load it with \`tocsin apply -f FILE\` or \`PUT /api/v1/plans/:name\`; each change becomes a new
  version, and an incident keeps the version it was declared under. Both report the same stored-only
  warnings (the API as \`field_warnings\`).
- Editor completion: the JSON Schema is [\`docs/plan.schema.json\`](plan.schema.json) (also served at
  \`GET /api/v1/plans/schema.json\`). With the YAML language server, start a plan with
  \`# yaml-language-server: $schema=<path or URL of plan.schema.json>\`.

Conventions:

- Keys are camelCase. **Unknown keys are errors**, never silently ignored.
- A **duration** is a number and a unit, combinable: \`90s\`, \`15m\`, \`4h\`, \`2d\`, \`1w\`, \`1h30m\`.
- An **id** is letters, digits, \`.\`, \`_\` or \`-\`. Groups and roles share one namespace: wherever a
  plan names "who" (paging, responders, approvals, fallbacks, escalation, attendees), it is a group
  id or a role id.
- A **scalar** is text, a number or a boolean.
- Keys not marked **(required)** may be left out; defaults keep small plans small.

**Not every field acts yet.** The *Tocsin* column of each table says what Tocsin does with a field
today: **acted on** (an operation or the engine enforces it: paging, targets, cadence, workflows …),
**text** (words for people, kept with the plan) or **stored only** (accepted and kept, but nothing acts
on it yet: the description says what it will mean). The column comes from
\`src/domain/plans/plan-fields.ts\`.
`;

function placeholderSection(): string[] {
  const list = (names: readonly string[]) => names.map((p) => `\`{${p}}\``).join(', ');
  return [
    '## Placeholders',
    '',
    'Every templated text may use these: message templates (`templates[].body` and `subject`; an email ' +
      "template's subject is the email's subject) and every text a workflow action sends or writes " +
      '(`notify`, `post`, `remind`, `note`, `addChecklistItem`, `addTask` / `createActionItem` title and ' +
      'owner, `setField` values, `page` / `addResponders` targets, `setStatusPageComponent`).',
    '',
    '| placeholder | becomes |',
    '|---|---|',
    ...Object.entries(PLACEHOLDERS).map(([k, v]) => `| \`{${k}}\` | ${cell(v.description)} |`),
    ...PLACEHOLDER_PREFIXES.map(
      (p) => `| \`{${p}<name>}\` | ${p === 'labels.' ? 'a label' : 'a custom field'} of the incident |`,
    ),
    '',
    `Links (\`links.<name>\`, workflow \`webhook.url\`; values are URL-encoded) may use ${list(placeholdersFor('link'))}; ` +
      `the channel name pattern (\`channel.name\`) ${list(placeholdersFor('channel'))}. ` +
      'Any other `{name}` is an error at its line and column.',
    '',
    '## Page targets',
    '',
    'A workflow `page` (or `page.target`) and each entry of `addResponders` names one of:',
    '',
    '| kind | written | pages |',
    '|---|---|---|',
    ...PAGE_TARGET_KINDS.map((k) => `| ${k.kind} | \`${k.syntax}\` | ${cell(k.description)} |`),
    '',
    'Anything else is an error. `addResponders` adds each as a responder and pages it.',
    '',
  ];
}

const CHECKS = `## Checks beyond the schema

\`tocsin plan validate\` (and every way of loading a plan) also checks that the parts of a plan agree,
each error pointing at the offending line:

- ids are unique: severities, roles, groups, states, templates, runbooks, phases, exercises,
  escalation tiers, languages, channels and workflow names; no group has the id of a role;
- every group or role named in \`page.to\`, \`responders\`, \`roles[].assignTo\` / \`eligible\` / \`fallback\`,
  \`approvals\`, \`warRoom\`, \`escalation.tiers[].notify\`, \`runbooks[].escalation\`,
  \`mitigation.plan.consensusFrom\`, \`postmortem.meeting\` and workflow actions (\`page\`, \`addResponders\`,
  \`notify.group\`, \`notify.role\`, \`remind.role\`) exists;
- every severity named in \`warRoom.severities\`, \`mitigation.strategies[].severities\`, goals,
  \`postmortem.meeting.attendeesBySeverity\` and workflow conditions exists; likewise states
  (\`lifecycle\`, \`verification.state\`, \`templates[].state\`, workflow conditions and timers), roles
  (\`lifecycle.states[].by\`, \`communication.*.by\`), templates (\`postmortem.template\`, workflow
  \`notify\` / \`post\` / \`webhook\`), runbooks and link names (\`tools[].link\`);
- chat channels starting with \`#\` that workflows, paging and groups use are declared in
  \`communication.channels\` (when the plan declares any);
- every language of a template is one of \`languages\`, and every \`external\` and \`email\` template has
  text (and an email its subject) in **every** language of the plan;
- business time (\`4bh\`, \`2bd\`, \`30bm\`, \`"4 business hours"\`) in targets, \`postmortem.due\`,
  workflow timers (\`elapsed\`) and task due times needs a written \`businessHours\` (the defaults are
  nobody's business day); it counts only the minutes inside those hours, in their time zone, skipping
  holidays, and one business day is one business-hours window (09:00–17:00: 8 business hours);
- placeholders are known (see above); the time zone exists; business hours end after they start;
  escalation tiers are in increasing time order; reminders come before what they remind of;
- the resolved state shows as \`resolved\` on the status page.
`;

/** docs/plan-reference.md */
export function planReferenceMarkdown(): string {
  const sections: Section[] = [];
  collect('', planJsonSchema(), sections, planFieldUses());
  const toc = sections.map((s) => `- [\`${s.path || 'top level'}\`](#${anchor(s.path || 'top level')})`);
  // Identical tables (the matcher of every workflow condition, say) are printed once.
  const firstWith = new Map<string, string>();
  const body = sections.flatMap((s) => {
    const key = s.lines.join('\n');
    const same = firstWith.get(key);
    if (!same) firstWith.set(key, s.path);
    return [
      `## ${s.path || 'top level'}`,
      '',
      ...(s.description ? [sentence(s.description), ''] : []),
      ...(same ? [`The same keys as [\`${same}\`](#${anchor(same)}).`] : s.lines),
      '',
    ];
  });
  return [INTRO, '## Contents', '', ...toc, '', ...placeholderSection(), CHECKS, ...body]
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/\n*$/, '\n');
}
