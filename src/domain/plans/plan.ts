import { isBusinessDuration, isDuration, parseDuration } from '../../lib/duration.ts';
import { isTimeZone } from '../../lib/time-zone.ts';
import {
  COMMA_HINT,
  issuesToSourceErrors,
  parseYamlSource,
  type SourceDocument,
  type SourceError,
} from '../../lib/yaml-source.ts';
import { planBusinessHours, planSpanOf } from '../workflows/business-hours.ts';
import type { TimerTrigger, Workflow } from '../workflows/workflow-schema.ts';
import {
  isKnownPlaceholder,
  type PlaceholderContext,
  placeholdersFor,
  placeholdersIn,
} from './placeholders.ts';
import {
  type IncidentType,
  type Plan,
  type PlanRole,
  planSchema,
  type Severity,
  STATUS_PAGE_STATES,
  type StatusPageState,
  TARGET_KINDS,
  type TargetKind,
} from './plan-schema.ts';
import { silentGroups } from './recipient-gaps.ts';
import { storedOnlyFields } from './stored-fields.ts';
import { parseTarget } from './target-kinds.ts';

export type { Plan, PlanRole, Severity, StatusPageState, TargetKind };

export interface PlanLoad {
  plan?: Plan;
  errors: SourceError[];
  /** Fields of a valid plan that Tocsin only stores (plan-fields.ts), file:line:col. */
  warnings?: SourceError[];
}

/** Validates one parsed YAML document as a Plan: schema, then references between its parts. */
export function validatePlanDocument(doc: SourceDocument): PlanLoad {
  const parsed = planSchema.safeParse(doc.value);
  if (!parsed.success) return { errors: schemaErrors(doc, parsed.error.issues) };
  const written = (doc.value as { businessHours?: unknown } | null)?.businessHours !== undefined;
  const errors = [...checkReferences(parsed.data), ...checkBusinessTime(parsed.data, written)]
    .map((r) => ({
      file: doc.file,
      ...(r.needle ? doc.locateText(r.path, r.needle) : doc.locate(r.path)),
      message: `${r.path.join('.')}: ${r.message}`,
    }))
    .sort((a, b) => a.line - b.line || a.col - b.col);
  if (errors.length > 0) return { errors };
  const silent = silentGroups(parsed.data).map((g) => ({
    file: doc.file,
    ...doc.locate(g.path),
    message: `warning: ${g.path.join('.')}: ${g.message}`,
  }));
  const warnings = [...storedOnlyFields(doc), ...silent].sort((a, b) => a.line - b.line || a.col - b.col);
  return { plan: parsed.data, errors: [], warnings };
}

const upgraded = new Map<string, Plan>();

/**
 * A stored plan version in today's shape: the one place stored plans are read (loadPlanVersion,
 * listPlans). Versions are stored as the schema's output when saved; parsing them again fills every
 * field added to the schema since with its default, so the rest of the code reads one shape and never
 * guesses. Versions never change, so each digest is parsed once per process.
 */
export function upgradeStoredPlan(spec: unknown, digest: string): Plan {
  const known = upgraded.get(digest);
  if (known) return known;
  const plan = planSchema.parse(spec);
  if (upgraded.size >= 500) upgraded.clear();
  upgraded.set(digest, plan);
  return plan;
}

/** Parses a plan file's text; errors are file:line:col. */
export function loadPlan(text: string, file: string): PlanLoad {
  const source = parseYamlSource(text, file);
  if (source.errors.length > 0) return { errors: source.errors };
  const plans = source.documents.filter((d) => (d.value as { kind?: unknown })?.kind === 'Plan');
  const first = plans[0] ?? source.documents[0];
  if (!first) return { errors: [{ file, line: 1, col: 1, message: 'the file holds no plan document' }] };
  return validatePlanDocument(first);
}

// --- schema issues made readable ------------------------------------------------------------------

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  expected?: string;
  errors?: Issue[][];
  /** For an unknown key where one of a few was expected: those keys. */
  wanted?: string[];
}

function schemaErrors(doc: SourceDocument, issues: readonly Issue[]): SourceError[] {
  const explained = explainIssues(issues);
  // issuesToSourceErrors words unknown keys itself; these also say which keys would fit.
  const hinted = explained.flatMap((i) =>
    (i.wanted ? (i.keys ?? []) : []).map((key) => ({
      file: doc.file,
      ...doc.locateKey(i.path, key),
      message:
        `${[...i.path, key].map(String).join('.')}: unknown key "${key}"; expected one of ${i.wanted?.join(', ')}` +
        (doc.bareFlowKey(i.path, key) ? `; ${COMMA_HINT}` : ''),
    })),
  );
  const plain = issuesToSourceErrors(
    doc,
    explained.filter((i) => !i.wanted),
  );
  return [...plain, ...hinted].sort((a, b) => a.line - b.line || a.col - b.col);
}

/** A required key that is absent (for a union-typed key: absent for every branch). */
const missingKey = (i: Issue): boolean =>
  (i.code === 'invalid_type' && i.message.endsWith('received undefined')) ||
  (i.code === 'invalid_union' && (i.errors ?? []).every((b) => b.length > 0 && b.every(missingKey)));
const rootMismatch = (i: Issue) => i.code === 'invalid_type' && i.path.length === 0;
const rootUnknown = (i: Issue) => i.code === 'unrecognized_keys' && i.path.length === 0;

/**
 * zod reports a value that fits no branch of a union as one "Invalid input" at the union. Pick the
 * branch the author most likely meant (the one whose shape matched best) and report its issues, so
 * that a typo inside a workflow action points at the typo and not at the whole action.
 */
export function explainIssues(issues: readonly Issue[]): Issue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union' || !issue.errors || issue.errors.length === 0) return [issue];
    const shaped = issue.errors.filter((branch) => !branch.some(rootMismatch));
    const prefix = (branch: Issue[]) =>
      explainIssues(branch).map((i) => ({ ...i, path: [...issue.path, ...i.path] }));
    if (shaped.length === 0) {
      const expected = [
        ...new Set(
          issue.errors
            .flat()
            .map((i) => i.expected)
            .filter(Boolean),
        ),
      ];
      return [{ ...issue, message: `expected ${expected.join(' or ') || 'another shape'}` }];
    }
    const structural = (branch: Issue[]) => branch.filter((i) => rootUnknown(i) || missingKey(i)).length;
    const best = Math.min(...shaped.map(structural));
    const candidates = shaped.filter((b) => structural(b) === best);
    const [first] = candidates;
    if (candidates.length === 1 && first) return prefix(first);
    // Several branches fit equally badly, typically an unknown key where one of a few was expected.
    const unknown = [
      ...new Set(candidates.flatMap((b) => b.filter(rootUnknown).flatMap((i) => i.keys ?? []))),
    ];
    const wanted = [
      ...new Set(candidates.flatMap((b) => b.filter(missingKey).map((i) => String(i.path[0])))),
    ];
    if (unknown.length > 0) {
      return [
        {
          code: 'unrecognized_keys',
          keys: unknown,
          path: issue.path,
          message: 'unknown key',
          wanted,
        },
      ];
    }
    return first ? prefix(first) : [issue];
  });
}

// --- references between parts of a plan ----------------------------------------------------------

interface ReferenceError {
  path: PropertyKey[];
  message: string;
  /** Text inside the value at `path` the error is about (its position is reported). */
  needle?: string;
}

function duplicates(values: string[]): Map<string, number> {
  const seen = new Set<string>();
  const out = new Map<string, number>();
  values.forEach((v, i) => {
    if (seen.has(v)) out.set(v, i);
    seen.add(v);
  });
  return out;
}

export { isTimeZone };

/** The names a plan defines, for reference checks. */
interface Known {
  severities: Set<string>;
  states: Set<string>;
  roles: Set<string>;
  groups: Set<string>;
  templates: Map<string, Plan['templates'][number]>;
  runbooks: Set<string>;
  channels: Set<string>;
  policies: Set<string>;
  checklists: Set<string>;
  types: Set<string>;
}

class Checker {
  readonly errors: ReferenceError[] = [];
  constructor(
    readonly known: Known,
    readonly plan: Plan,
  ) {}

  add(path: PropertyKey[], message: string, needle?: string): void {
    this.errors.push({ path, message, ...(needle ? { needle } : {}) });
  }

  /** A value that must name one of `set`. */
  ref(
    path: PropertyKey[],
    value: string | undefined,
    set: Set<string> | Map<string, unknown>,
    label: string,
  ) {
    if (value !== undefined && !set.has(value)) this.add(path, `undefined ${label} "${value}"`);
  }

  refs(path: PropertyKey[], values: readonly string[], set: Set<string>, label: string) {
    values.forEach((v, i) => {
      this.ref([...path, i], v, set, label);
    });
  }

  /** A group or role. */
  who(path: PropertyKey[], value: string | undefined) {
    if (value !== undefined && !this.known.groups.has(value) && !this.known.roles.has(value)) {
      this.add(path, `undefined group or role "${value}"`);
    }
  }

  whos(path: PropertyKey[], values: readonly string[]) {
    values.forEach((v, i) => {
      this.who([...path, i], v);
    });
  }

  /** `key` null: the values are the list's items themselves. */
  unique(path: PropertyKey[], values: string[], label: string, key: string | null = 'id') {
    for (const [dup, i] of duplicates(values))
      this.add(key === null ? [...path, i] : [...path, i, key], `duplicate ${label} "${dup}"`);
  }

  /** A page target: one of the kinds of target-kinds.ts; placeholders in it must be known. */
  target(path: PropertyKey[], who: string) {
    const t = parseTarget(who, this.plan);
    if ('error' in t) this.add(path, t.error);
    this.placeholders(path, who);
  }

  /** Every {placeholder} of a templated text must be in the placeholder table for its context. */
  placeholders(path: PropertyKey[], text: string | undefined, context: PlaceholderContext = 'message') {
    if (text === undefined) return;
    for (const { name } of placeholdersIn(text)) {
      if (!isKnownPlaceholder(name, context)) this.add(path, unknownPlaceholder(name, context), `{${name}}`);
    }
  }

  /** A chat channel the plan posts to: must be declared when the plan declares its channels. */
  channel(path: PropertyKey[], name: string | undefined) {
    if (!name?.startsWith('#') || this.known.channels.size === 0) return;
    if (!this.known.channels.has(name))
      this.add(path, `undefined channel "${name}" (see communication.channels)`);
  }
}

const CONTEXT_LABEL: Record<PlaceholderContext, string> = {
  message: 'messages',
  channel: 'the channel name',
  link: 'links',
};

function unknownPlaceholder(name: string, context: PlaceholderContext): string {
  const allowed = placeholdersFor(context) as string[];
  if (context !== 'message' && isKnownPlaceholder(name, 'message')) {
    return `{${name}} is not known in ${CONTEXT_LABEL[context]}; use ${allowed.map((a) => `{${a}}`).join(', ')}`;
  }
  const near = closest(
    name,
    context === 'message' ? [...allowed, 'labels.<name>', 'fields.<name>'] : allowed,
  );
  const list =
    context === 'message'
      ? 'see "Placeholders" in docs/plan-reference.md; a custom field is {fields.<name>}, a label {labels.<name>}'
      : `use ${allowed.map((a) => `{${a}}`).join(', ')}`;
  return `unknown placeholder {${name}}${near ? ` (did you mean {${near}}?)` : ''}; ${list}`;
}

/** The candidate within edit distance 2 of `word`, if any. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    prev = row;
  }
  return prev[b.length] as number;
}

function knownNames(plan: Plan): Known {
  return {
    severities: new Set(plan.severities.map((s) => s.id)),
    states: new Set(plan.lifecycle.states.map((s) => s.id)),
    roles: new Set(plan.roles.map((r) => r.id)),
    groups: new Set(plan.groups.map((g) => g.id)),
    templates: new Map(plan.templates.map((t) => [t.id, t])),
    runbooks: new Set(plan.runbooks.map((r) => r.id)),
    channels: new Set(plan.communication.channels.map((c) => c.name)),
    policies: new Set(plan.escalationPolicies.map((p) => p.id)),
    checklists: new Set(Object.keys(plan.checklists)),
    types: new Set(plan.types.map((t) => t.id)),
  };
}

/** Where a plan counts business time (4bh, 2bd): targets, post-mortem deadlines, timers, task due times. */
export function businessDurations(plan: Plan): { path: PropertyKey[]; value: string }[] {
  const out: { path: PropertyKey[]; value: string }[] = [];
  const add = (path: PropertyKey[], value: string | undefined) => {
    if (value !== undefined && isBusinessDuration(value)) out.push({ path, value });
  };
  plan.severities.forEach((s, i) => {
    for (const kind of TARGET_KINDS) add(['severities', i, 'targets', kind], s.targets[kind]);
    add(['severities', i, 'postmortem', 'due'], s.postmortem.due);
  });
  plan.types.forEach((t, i) => {
    for (const kind of TARGET_KINDS) add(['types', i, 'targets', kind], t.targets?.[kind]);
  });
  plan.workflows.forEach((w, i) => {
    if (typeof w.when === 'object' && 'elapsed' in w.when)
      add(['workflows', i, 'when', 'elapsed'], w.when.elapsed);
    w.then.forEach((action, j) => {
      for (const key of ['addTask', 'createActionItem'] as const) {
        const task = key in action ? (action as Record<typeof key, unknown>)[key] : undefined;
        if (task && typeof task === 'object' && 'due' in task && typeof task.due === 'string') {
          add(['workflows', i, 'then', j, key, 'due'], task.due);
        }
      }
    });
  });
  return out;
}

/** Business time needs hours the plan wrote: the defaults (Mon–Fri 9–17 UTC) are nobody's business day. */
function checkBusinessTime(plan: Plan, hoursWritten: boolean): ReferenceError[] {
  if (hoursWritten) return [];
  return businessDurations(plan).map(({ path, value }) => ({
    path,
    message: `"${value}" counts business time, but the plan sets no businessHours (add businessHours: timeZone, days, start, end, holidays)`,
  }));
}

/** Cross-references a schema-valid plan: duplicate ids, undefined names, languages, placeholders. */
export function checkReferences(plan: Plan): ReferenceError[] {
  const c = new Checker(knownNames(plan), plan);
  checkIds(c, plan);
  checkSeverities(c, plan);
  checkTypes(c, plan);
  checkConfidential(c, plan);
  checkPeople(c, plan);
  checkLifecycle(c, plan);
  checkCommunication(c, plan);
  checkTemplates(c, plan);
  checkProcedure(c, plan);
  checkLearning(c, plan);
  plan.workflows.forEach((w, i) => {
    checkWorkflow(c, w, ['workflows', i]);
  });
  checkAnchorCycles(c, plan);
  return c.errors;
}

/** What a timer counts from, as a name its actions can move: "last_page", "field:review_at". */
function anchorMoved(w: Workflow): string | undefined {
  if (typeof w.when !== 'object' || !('elapsed' in w.when)) return undefined;
  if (w.when.since === 'last_page') return 'last_page';
  if (w.when.since === 'scheduled' && w.when.field) return `field:${w.when.field}`;
  return undefined;
}

/** The anchors a workflow's actions move when it fires: a page moves last_page, setField its field. */
function anchorsMovedBy(w: Workflow): Set<string> {
  const moved = new Set<string>();
  for (const action of w.then) {
    if ('page' in action || 'addResponders' in action) moved.add('last_page');
    // A constant value moves nothing after its first write; only a templated one can change each time.
    const value = 'setField' in action ? action.setField.value : undefined;
    if ('setField' in action && typeof value === 'string' && value.includes('{'))
      moved.add(`field:${action.setField.field}`);
  }
  return moved;
}

/**
 * Timers whose actions move their own anchor, directly or through other timers (a page 30m after the
 * last page; two timers that each set the other's scheduled field) would fire again and again for as
 * long as the incident is open: each firing starts the next. Each timer on such a cycle is an error
 * at its `since`, naming the cycle.
 */
function checkAnchorCycles(c: Checker, plan: Plan): void {
  const timers = plan.workflows.flatMap((w, i) => {
    const anchor = anchorMoved(w);
    return anchor ? [{ w, i, anchor }] : [];
  });
  const moves = new Map(plan.workflows.map((w) => [w.name, anchorsMovedBy(w)]));
  // next(t): the timers whose anchor t's firing moves.
  const next = (t: (typeof timers)[number]) =>
    timers.filter((u) => moves.get(t.w.name)?.has(u.anchor) === true);
  for (const t of timers) {
    const path = cycleFrom(t, next);
    if (!path) continue;
    const names = [...path, t].map((x) => `"${x.w.name}"`).join(' → ');
    const anchors = [...new Set(path.map((x) => x.anchor.replace('field:', 'field ')))].join(', ');
    c.add(
      ['workflows', t.i, 'when', 'since'],
      `anchor cycle: ${names} (each firing moves what the next counts from: ${anchors}; they would fire for as long as the incident is open — count from declared with repeat: true instead)`,
    );
  }
}

/** The path from `start` back to itself through `next`, or undefined (depth-first). */
function cycleFrom<T>(start: T, next: (t: T) => T[]): T[] | undefined {
  const seen = new Set<T>();
  const walk = (t: T, path: T[]): T[] | undefined => {
    for (const n of next(t)) {
      if (n === start) return path;
      if (seen.has(n)) continue;
      seen.add(n);
      const found = walk(n, [...path, n]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, [start]);
}

function checkIds(c: Checker, plan: Plan): void {
  c.unique(
    ['severities'],
    plan.severities.map((s) => s.id),
    'severity id',
  );
  c.unique(
    ['roles'],
    plan.roles.map((r) => r.id),
    'role id',
  );
  c.unique(
    ['groups'],
    plan.groups.map((g) => g.id),
    'group id',
  );
  c.unique(
    ['lifecycle', 'states'],
    plan.lifecycle.states.map((s) => s.id),
    'state',
  );
  c.unique(
    ['templates'],
    plan.templates.map((t) => t.id),
    'template id',
  );
  c.unique(
    ['runbooks'],
    plan.runbooks.map((r) => r.id),
    'runbook id',
  );
  c.unique(
    ['phases'],
    plan.phases.map((p) => p.id),
    'phase id',
  );
  c.unique(
    ['exercises'],
    plan.exercises.map((e) => e.id),
    'exercise id',
  );
  c.unique(['languages'], plan.languages, 'language', '');
  c.unique(
    ['escalationPolicies'],
    plan.escalationPolicies.map((p) => p.id),
    'escalation policy id',
  );
  plan.communication.channels.forEach((ch, i) => {
    c.refs(['communication', 'channels', i, 'severities'], ch.severities, c.known.severities, 'severity');
    if (ch.announce.length > 0 && !ch.name.startsWith('#')) {
      c.add(['communication', 'channels', i, 'name'], 'an announcement channel is a chat channel: #name');
    }
  });
  c.unique(
    ['communication', 'channels'],
    plan.communication.channels.map((ch) => ch.name),
    'channel',
    'name',
  );
  // A workflow's firings are keyed by its name: a second one of the same name would never fire.
  c.unique(
    ['workflows'],
    plan.workflows.map((w) => w.name),
    'workflow name',
    'name',
  );
  // A name that is both a group and a role would make every reference to it ambiguous.
  plan.groups.forEach((g, i) => {
    if (c.known.roles.has(g.id)) c.add(['groups', i, 'id'], `"${g.id}" is also a role id`);
  });
}

function checkSeverities(c: Checker, plan: Plan): void {
  plan.severities.forEach((s, i) => {
    const at = ['severities', i];
    c.who([...at, 'page', 'to'], s.page?.to);
    c.ref([...at, 'page', 'policy'], s.page?.policy, c.known.policies, 'escalation policy');
    if (s.page?.to && s.page.policy) c.add([...at, 'page', 'policy'], 'give `to` or `policy`, not both');
    c.channel([...at, 'page', 'chat'], s.page?.chat);
    c.whos([...at, 'responders'], s.responders);
    c.refs([...at, 'checklists'], s.checklists, c.known.checklists, 'checklist');
    for (const audience of ['internal', 'external'] as const) {
      const every = s.cadence[audience];
      const remind = s.cadence.remindAfter?.[audience];
      if (remind && !every) {
        c.add([...at, 'cadence', 'remindAfter', audience], `needs cadence.${audience} as well`);
      } else if (remind && every && parseDuration(remind) > parseDuration(every)) {
        c.add([...at, 'cadence', 'remindAfter', audience], `is longer than the cadence (${every})`);
      }
      if (s.cadence.escalateAfter?.[audience] && !every) {
        c.add([...at, 'cadence', 'escalateAfter', audience], `needs cadence.${audience} as well`);
      }
    }
    for (const state of Object.keys(s.cadence.byState ?? {})) {
      c.ref([...at, 'cadence', 'byState', state], state, c.known.states, 'state');
    }
    (s.cadence.byAge ?? []).forEach((step, j) => {
      const before = s.cadence.byAge?.[j - 1];
      if (before && parseDuration(step.after) <= parseDuration(before.after)) {
        c.add(
          [...at, 'cadence', 'byAge', j, 'after'],
          `must be later than the step before (${before.after})`,
        );
      }
    });
    c.whos([...at, 'cadence', 'escalateTo'], s.cadence.escalateTo);
    const pm = s.postmortem;
    // A business-time due time ("2bd") is not comparable to a wall-clock reminder without a date.
    if (
      pm.remindAfter &&
      pm.due &&
      isDuration(pm.due) &&
      parseDuration(pm.remindAfter) > parseDuration(pm.due)
    ) {
      c.add([...at, 'postmortem', 'remindAfter'], `is later than the due time (${pm.due})`);
    }
    if (pm.due && !pm.required) c.add([...at, 'postmortem', 'due'], 'set required: true, or drop due');
  });
}

/** types[]: ids unique and not a severity's; pages, checklists and the channel pattern as severities'. */
function checkTypes(c: Checker, plan: Plan): void {
  c.unique(
    ['types'],
    plan.types.map((t) => t.id),
    'type id',
  );
  plan.types.forEach((t, i) => {
    const at = ['types', i];
    c.who([...at, 'page', 'to'], t.page?.to);
    c.ref([...at, 'page', 'policy'], t.page?.policy, c.known.policies, 'escalation policy');
    if (t.page?.to && t.page.policy) c.add([...at, 'page', 'policy'], 'give `to` or `policy`, not both');
    c.channel([...at, 'page', 'chat'], t.page?.chat);
    c.refs([...at, 'checklists'], t.checklists, c.known.checklists, 'checklist');
    c.placeholders([...at, 'channel'], t.channel, 'channel');
  });
}

/** confidential: who sees them are groups or roles; `external: approved` needs approvers to approve. */
function checkConfidential(c: Checker, plan: Plan): void {
  const conf = plan.confidential;
  if (!conf) return;
  c.whos(['confidential', 'visibleTo'], conf.visibleTo);
  c.placeholders(['confidential', 'codeName'], conf.codeName, 'channel');
  for (const value of matcherValues(conf.when?.severity))
    c.ref(['confidential', 'when', 'severity'], value, c.known.severities, 'severity');
  for (const value of matcherValues(conf.when?.type))
    c.ref(['confidential', 'when', 'type'], value, c.known.types, 'incident type');
  if (conf.external === 'approved' && plan.approvals.external.length === 0)
    c.add(['confidential', 'external'], 'approved needs approvers: name them in approvals.external');
}

function checkPeople(c: Checker, plan: Plan): void {
  c.whos(['tasks', 'escalateTo'], plan.tasks?.escalateTo ?? []);
  plan.roles.forEach((r, i) => {
    c.who(['roles', i, 'assignTo'], r.assignTo);
    c.refs(['roles', i, 'eligible'], r.eligible, c.known.groups, 'group');
    c.whos(['roles', i, 'fallback'], r.fallback);
    c.whos(['roles', i, 'escalateTo'], r.escalateTo);
    c.whos(['roles', i, 'holders'], r.holders);
    r.notWith.forEach((other, j) => {
      c.ref(['roles', i, 'notWith', j], other, c.known.roles, 'role');
      if (other === r.id) c.add(['roles', i, 'notWith', j], 'a role cannot exclude itself');
    });
    if (!r.required) {
      for (const key of ['remindAfter', 'escalateAfter', 'escalateTo'] as const) {
        const set = key === 'escalateTo' ? r.escalateTo.length > 0 : r[key] !== undefined;
        if (set)
          c.add(['roles', i, key], 'only a required role is reminded and escalated: set required: true');
      }
    }
    const remind = parseDuration(r.remindAfter ?? ROLE_REMIND_AFTER);
    if (r.escalateAfter && parseDuration(r.escalateAfter) <= remind) {
      c.add(
        ['roles', i, 'escalateAfter'],
        `must be after remindAfter (${r.remindAfter ?? ROLE_REMIND_AFTER})`,
      );
    }
    if (r.acceptWithin && roleChain(r).length < 2) {
      c.add(
        ['roles', i, 'acceptWithin'],
        'needs a chain to pass the role along: assignTo, eligible or fallback',
      );
    }
  });
  plan.groups.forEach((g, i) => {
    c.channel(['groups', i, 'chat'], g.chat);
  });
  c.ref(['commanderRole'], plan.commanderRole, c.known.roles, 'role');
  c.whos(['approvals', 'external'], plan.approvals.external);
  c.whos(['approvals', 'internal'], plan.approvals.internal);
  checkActionGates(c, plan);
  const war = plan.warRoom;
  if (war) {
    c.refs(['warRoom', 'severities'], war.severities, c.known.severities, 'severity');
    war.participants.forEach((p, i) => {
      c.who(['warRoom', 'participants', i, 'who'], p.who);
    });
    c.who(['warRoom', 'decisions', 'by'], war.decisions?.by);
    c.whos(['warRoom', 'decisions', 'overrideBy'], war.decisions?.overrideBy ?? []);
  }
  let previous = -1;
  plan.escalationPolicies.forEach((p, i) => {
    p.steps.forEach((step, j) => {
      c.whos(['escalationPolicies', i, 'steps', j, 'notify'], step.notify);
      step.shadows.forEach((who, k) => {
        checkPerson(c, ['escalationPolicies', i, 'steps', j, 'shadows', k], who, SHADOW_IS);
      });
    });
  });
  plan.escalation?.tiers.forEach((t, i) => {
    c.whos(['escalation', 'tiers', i, 'notify'], t.notify);
    const after = parseDuration(t.after);
    if (after <= previous)
      c.add(['escalation', 'tiers', i, 'after'], 'tiers must be in increasing time order');
    previous = after;
  });
  c.unique(['escalation', 'tiers'], plan.escalation?.tiers.map((t) => t.id) ?? [], 'tier id');
}

/** approvals.actions: approvers are people, states exist, a quorum can be met by the people listed. */
function checkActionGates(c: Checker, plan: Plan): void {
  plan.approvals.actions.forEach((g, i) => {
    const at = ['approvals', 'actions', i];
    g.by.forEach((who, j) => {
      checkPerson(c, [...at, 'by', j], who, APPROVER_IS);
    });
    if (g.action === 'enterState') {
      if (g.state === undefined) c.add([...at, 'state'], 'enterState needs the state it gates');
      else c.ref([...at, 'state'], g.state, c.known.states, 'state');
    } else if (g.state !== undefined) c.add([...at, 'state'], 'only an enterState gate names a state');
    const most = countedApprovers(plan, g.by);
    if (most !== undefined && g.quorum > most)
      c.add([...at, 'quorum'], `${g.quorum} approvers needed, but ${g.by.join(', ')} name only ${most}`);
  });
}

const PERSON_KINDS = new Set(['role', 'group', 'user', 'schedule', 'team']);
const SHADOW_IS = 'a shadow is a role or group of this plan, user:<handle>, schedule:<name> or team:<name>';

/** A reference to people (an approver, a shadow): a page target of a kind that names persons. */
function checkPerson(c: Checker, path: PropertyKey[], who: string, rule: string): void {
  const t = parseTarget(who, c.plan);
  if ('error' in t) c.add(path, `${t.error.replace(/ of this plan.*/, '')}; ${rule}`);
  else if (!PERSON_KINDS.has(t.kind)) c.add(path, `"${who}" is not a person; ${rule}`);
}
const APPROVER_IS =
  'an approver is a role or group of this plan, user:<handle>, schedule:<name> or team:<name>';

/**
 * How many people `by` can name at most, when that is known from the plan alone (users listed by
 * handle, roles: one holder each); undefined when a schedule, team or flag makes it a run-time number.
 */
function countedApprovers(plan: Plan, by: string[]): number | undefined {
  const people = new Set<string>();
  let roles = 0;
  for (const who of by) {
    const t = parseTarget(who, plan);
    if ('error' in t) return undefined;
    if (t.kind === 'user') people.add(t.name);
    else if (t.kind === 'role') roles++;
    else if (t.kind === 'group') {
      const g = plan.groups.find((x) => x.id === t.name);
      if (!g || g.teams.length > 0 || g.schedule || g.leadership || g.serviceOwner || g.incidentResponders)
        return undefined;
      for (const u of g.users) people.add(u);
    } else return undefined;
  }
  return people.size + roles;
}

function checkLifecycle(c: Checker, plan: Plan): void {
  const states = c.known.states;
  for (const key of ['initial', 'resolved'] as const) {
    c.ref(['lifecycle', key], plan.lifecycle[key], states, 'state');
  }
  for (const [from, tos] of Object.entries(plan.lifecycle.transitions ?? {})) {
    c.ref(['lifecycle', 'transitions', from], from, states, 'state');
    c.refs(['lifecycle', 'transitions', from], tos, states, 'state');
  }
  plan.lifecycle.states.forEach((s, i) => {
    c.whos(['lifecycle', 'states', i, 'by'], s.by);
    c.refs(['lifecycle', 'states', i, 'checklists'], s.checklists, c.known.checklists, 'checklist');
  });
  const resolved = lifecycleOf(plan).resolved;
  if (plan.statusPage.when !== 'never' && statusPageStateOf(plan, resolved) !== 'resolved') {
    const i = plan.lifecycle.states.findIndex((s) => s.id === resolved);
    if (i >= 0) c.add(['lifecycle', 'states', i, 'statusPage'], 'the resolved state must show as resolved');
  }
  c.ref(['verification', 'state'], plan.verification?.state, states, 'state');
  c.ref(['verification', 'onBreach'], plan.verification?.onBreach, states, 'state');
  if (plan.verification?.onBreach !== undefined && plan.verification.onBreach === plan.verification.state) {
    c.add(['verification', 'onBreach'], 'must be another state than verification.state');
  }
}

function checkCommunication(c: Checker, plan: Plan): void {
  const internal = plan.communication.internal;
  c.channel(['communication', 'internal', 'channel'], internal?.channel);
  c.ref(['communication', 'internal', 'by'], internal?.by, c.known.roles, 'role');
  c.ref(['communication', 'external', 'by'], plan.communication.external?.by, c.known.roles, 'role');
  c.channel(['detection', 'declareIn'], plan.detection?.declareIn);
  c.placeholders(['channel', 'name'], plan.channel?.name, 'channel');
  for (const [name, url] of Object.entries(plan.links)) c.placeholders(['links', name], url, 'link');
  if (plan.warRoom?.url) c.placeholders(['warRoom', 'url'], plan.warRoom.url, 'link');
  if (!isTimeZone(plan.businessHours.timeZone)) {
    c.add(['businessHours', 'timeZone'], `unknown time zone "${plan.businessHours.timeZone}"`);
  }
  if (plan.businessHours.start >= plan.businessHours.end) {
    c.add(['businessHours', 'end'], `must be after start (${plan.businessHours.start})`);
  }
}

function checkTemplates(c: Checker, plan: Plan): void {
  const languages = new Set(plan.languages);
  plan.templates.forEach((t, i) => {
    const at = ['templates', i];
    c.ref([...at, 'state'], t.state, c.known.states, 'state');
    for (const part of ['body', 'subject'] as const) {
      for (const [language, text] of Object.entries(t[part] ?? {})) {
        if (!languages.has(language)) {
          c.add([...at, part, language], `language "${language}" is not in the plan's languages`);
        }
        c.placeholders([...at, part, language], text);
      }
    }
    // Whatever reaches users must reach them in every language the plan names.
    if (t.kind === 'external' || t.kind === 'email') {
      for (const part of t.kind === 'email' ? (['subject', 'body'] as const) : (['body'] as const)) {
        const missing = plan.languages.filter((l) => !t[part]?.[l]);
        if (missing.length > 0)
          c.add([...at, part], `${t.kind} template has no text in ${missing.join(', ')}`);
      }
    }
  });
  c.ref(['postmortem', 'template'], plan.postmortem.template, c.known.templates, 'template');
  const pm = plan.postmortem.template ? c.known.templates.get(plan.postmortem.template) : undefined;
  if (pm && pm.kind !== 'postmortem')
    c.add(['postmortem', 'template'], `template "${pm.id}" is not a postmortem template`);
}

function checkProcedure(c: Checker, plan: Plan): void {
  plan.runbooks.forEach((r, i) => {
    c.whos(['runbooks', i, 'escalation'], r.escalation);
    c.refs(
      ['runbooks', i, 'attach', 'severities'],
      r.attach?.severities ?? [],
      c.known.severities,
      'severity',
    );
    if (r.attach && r.triage.length + r.steps.length === 0) {
      c.add(['runbooks', i, 'attach'], 'an attached runbook needs triage or steps to tick');
    }
  });
  plan.mitigation?.strategies.forEach((s, i) => {
    c.ref(['mitigation', 'strategies', i, 'runbook'], s.runbook, c.known.runbooks, 'runbook');
    c.refs(['mitigation', 'strategies', i, 'severities'], s.severities, c.known.severities, 'severity');
  });
  c.who(['mitigation', 'plan', 'consensusFrom'], plan.mitigation?.plan?.consensusFrom);
  c.ref(['verification', 'runbook'], plan.verification?.runbook, c.known.runbooks, 'runbook');
  plan.verification?.checks.forEach((check, i) => {
    if (check.below !== undefined && check.above !== undefined && check.above >= check.below) {
      c.add(['verification', 'checks', i, 'above'], `must be less than below (${check.below})`);
    }
    if (check.query !== undefined && check.below === undefined && check.above === undefined) {
      c.add(['verification', 'checks', i, 'query'], 'a query needs a threshold: below or above');
    }
    if (
      check.metric === undefined &&
      check.query === undefined &&
      (check.below ?? check.above) !== undefined
    ) {
      c.add(['verification', 'checks', i], 'a threshold needs a metric or a query to measure');
    }
  });
  plan.phases.forEach((p, i) => {
    if (p.from && p.until && parseDuration(p.from) >= parseDuration(p.until)) {
      c.add(['phases', i, 'until'], `must be after from (${p.from})`);
    }
  });
  plan.tools.forEach((t, i) => {
    if (t.link && !/^[a-z][a-z0-9+.-]*:|^\//i.test(t.link) && !(t.link in plan.links)) {
      c.add(['tools', i, 'link'], `undefined link "${t.link}" (a links key or a URL)`);
    }
  });
}

function checkLearning(c: Checker, plan: Plan): void {
  c.unique(
    ['postmortem', 'rootCauseCategories'],
    plan.postmortem.rootCauseCategories,
    'root-cause category',
    null,
  );
  const meeting = plan.postmortem.meeting;
  if (meeting) {
    c.whos(['postmortem', 'meeting', 'attendees'], meeting.attendees);
    for (const [severity, attendees] of Object.entries(meeting.attendeesBySeverity)) {
      const at = ['postmortem', 'meeting', 'attendeesBySeverity', severity];
      c.ref(at, severity, c.known.severities, 'severity');
      c.whos(at, attendees);
    }
  }
  const goals = plan.goals;
  for (const metric of ['mttd', 'mtta', 'mttr'] as const) {
    for (const severity of Object.keys(goals?.[metric]?.bySeverity ?? {})) {
      c.ref(['goals', metric, 'bySeverity', severity], severity, c.known.severities, 'severity');
    }
  }
  for (const severity of Object.keys(goals?.maxPerQuarter ?? {})) {
    c.ref(['goals', 'maxPerQuarter', severity], severity, c.known.severities, 'severity');
  }
}

function checkWorkflow(c: Checker, w: Workflow, at: PropertyKey[]): void {
  const refs: [keyof NonNullable<typeof w.if>, Set<string>, string][] = [
    ['severity', c.known.severities, 'severity'],
    ['type', c.known.types, 'incident type'],
    ['state', c.known.states, 'state'],
    ['role', c.known.roles, 'role'],
    ['target', new Set(TARGET_KINDS), 'target'],
    ['audience', new Set(['internal', 'external']), 'audience'],
  ];
  for (const [field, known, label] of refs) {
    for (const value of matcherValues(w.if?.[field])) c.ref([...at, 'if', field], value, known, label);
  }
  const open = w.if?.openIncidents?.severityAtLeast;
  c.ref([...at, 'if', 'openIncidents', 'severityAtLeast'], open, c.known.severities, 'severity');
  if (typeof w.when === 'object' && 'state' in w.when) {
    c.ref([...at, 'when', 'state'], w.when.state, c.known.states, 'state');
  }
  if (typeof w.when === 'object' && 'elapsed' in w.when) checkTimerAnchor(c, w.when, [...at, 'when']);
  w.then.forEach((action, i) => {
    checkAction(c, action, [...at, 'then', i]);
  });
}

/** since: role_assigned names a plan role; since: scheduled names its field; neither key elsewhere. */
function checkTimerAnchor(c: Checker, when: TimerTrigger, at: PropertyKey[]): void {
  if (when.since === 'role_assigned') {
    if (when.role === undefined) c.add([...at, 'since'], 'since: role_assigned needs `role:` (a plan role)');
    else c.ref([...at, 'role'], when.role, c.known.roles, 'role');
  } else if (when.role !== undefined) {
    c.add([...at, 'role'], '`role` goes with since: role_assigned');
  }
  if (when.since === 'scheduled') {
    if (when.field === undefined)
      c.add([...at, 'since'], 'since: scheduled needs `field:` (the custom field holding the time)');
  } else if (when.field !== undefined) {
    c.add([...at, 'field'], '`field` goes with since: scheduled');
  }
}

/** One workflow action: the names it refers to, its page targets and its templated texts. */
function checkAction(c: Checker, action: Workflow['then'][number], a: PropertyKey[]): void {
  if ('notify' in action) {
    const n = action.notify;
    c.ref([...a, 'notify', 'template'], n.template, c.known.templates, 'template');
    c.ref([...a, 'notify', 'group'], n.group, c.known.groups, 'group');
    c.ref([...a, 'notify', 'role'], n.role, c.known.roles, 'role');
    c.channel([...a, 'notify', 'channel'], n.channel);
    for (const key of ['channel', 'email', 'user', 'message'] as const)
      c.placeholders([...a, 'notify', key], n[key]);
  } else if ('post' in action) {
    c.ref([...a, 'post', 'template'], action.post.template, c.known.templates, 'template');
    c.channel([...a, 'post', 'channel'], action.post.channel);
    c.placeholders([...a, 'post', 'channel'], action.post.channel);
    c.placeholders([...a, 'post', 'message'], action.post.message);
  } else if ('webhook' in action) {
    c.ref([...a, 'webhook', 'template'], action.webhook.template, c.known.templates, 'template');
    c.placeholders([...a, 'webhook', 'url'], action.webhook.url, 'link');
  } else if ('remind' in action) {
    c.ref([...a, 'remind', 'role'], action.remind.role, c.known.roles, 'role');
    c.placeholders([...a, 'remind', 'message'], action.remind.message);
  } else if ('page' in action) {
    const path = [...a, 'page', ...(typeof action.page === 'string' ? [] : ['target'])];
    const target = typeof action.page === 'string' ? action.page : action.page.target;
    c.target(path, target);
  } else if ('addResponders' in action) {
    action.addResponders.forEach((who, j) => {
      c.target([...a, 'addResponders', j], who);
    });
  } else if ('addChecklistItem' in action) {
    const spec = action.addChecklistItem;
    if (typeof spec === 'string') c.placeholders([...a, 'addChecklistItem'], spec);
    else c.placeholders([...a, 'addChecklistItem', 'text'], spec.text);
  } else if ('addTask' in action || 'createActionItem' in action) {
    const key = 'addTask' in action ? 'addTask' : 'createActionItem';
    const spec = 'addTask' in action ? action.addTask : action.createActionItem;
    if (typeof spec === 'string') c.placeholders([...a, key], spec);
    else {
      c.placeholders([...a, key, 'title'], spec.title);
      c.placeholders([...a, key, 'owner'], spec.owner);
    }
  } else if ('startChecklist' in action) {
    c.ref([...a, 'startChecklist'], action.startChecklist, c.known.checklists, 'checklist');
  } else if ('setField' in action) {
    const v = action.setField.value;
    if (typeof v === 'string') c.placeholders([...a, 'setField', 'value'], v);
  } else if ('note' in action) {
    c.placeholders([...a, 'note'], action.note);
  } else if ('setStatusPageComponent' in action) {
    c.placeholders([...a, 'setStatusPageComponent', 'component'], action.setStatusPageComponent.component);
  }
}

/** The literal values a matcher mentions (for reference checks). */
export function matcherValues(m: unknown): string[] {
  if (m === undefined || m === null) return [];
  if (typeof m === 'string') return [m];
  if (Array.isArray(m)) return m.filter((v): v is string => typeof v === 'string');
  if (typeof m === 'object') {
    const o = m as { not?: unknown; in?: unknown };
    return [...matcherValues(o.not), ...matcherValues(o.in)];
  }
  return [];
}

// --- rules read by other concepts -----------------------------------------------------------------

export interface Lifecycle {
  states: string[];
  initial: string;
  resolved: string;
  canTransition(from: string, to: string): boolean;
}

export function lifecycleOf(plan: Plan): Lifecycle {
  const states = plan.lifecycle.states.map((s) => s.id);
  const initial = plan.lifecycle.initial ?? (states[0] as string);
  const resolved = plan.lifecycle.resolved ?? (states[states.length - 1] as string);
  const transitions = plan.lifecycle.transitions;
  return {
    states,
    initial,
    resolved,
    canTransition(from, to) {
      if (from === to || !states.includes(to)) return false;
      if (transitions) return (transitions[from] ?? []).includes(to);
      return true;
    },
  };
}

/**
 * How a lifecycle state shows on the status page: as the plan maps it, else the state's own id when
 * that is a status-page status, else resolved for the terminal state and investigating otherwise.
 */
export function statusPageStateOf(plan: Plan, stateId: string): StatusPageState {
  const state = plan.lifecycle.states.find((s) => s.id === stateId);
  if (state?.statusPage) return state.statusPage;
  const own = (STATUS_PAGE_STATES as readonly string[]).find((s) => s === stateId.toLowerCase());
  if (own) return own as StatusPageState;
  return stateId === lifecycleOf(plan).resolved ? 'resolved' : 'investigating';
}

/** Required roles: when the unfilled reminder and escalation come, unless the role says. */
export const ROLE_REMIND_AFTER = '5m';
export const ROLE_ESCALATE_AFTER = '15m';

/** Who may take a role automatically, in order: assignTo, then eligible, then fallback. */
export function roleChain(role: Pick<PlanRole, 'assignTo' | 'eligible' | 'fallback'>): string[] {
  return [
    ...new Set([
      ...(role.assignTo ? [role.assignTo] : []),
      ...(role.eligible ?? []),
      ...(role.fallback ?? []),
    ]),
  ];
}

/** The role that commands incidents: the plan's commanderRole, else its first role. */
export function commanderRoleOf(plan: Pick<Plan, 'roles' | 'commanderRole'>): string | undefined {
  return plan.commanderRole ?? plan.roles?.[0]?.id;
}

/** The plan's incident type of that id (types[]); undefined for none or an unknown one. */
export function incidentTypeOf(plan: Plan, typeId: string | null | undefined): IncidentType | undefined {
  return typeId ? plan.types.find((t) => t.id === typeId) : undefined;
}

export function severityOf(plan: Plan, severityId: string): Severity | undefined {
  return plan.severities.find((s) => s.id === severityId);
}

/**
 * The targets an incident of a severity and (optional) type is held to: the type's targets replace
 * the severity's of the same kind (a security incident acknowledged within 5m whatever its severity).
 */
export function targetsOf(plan: Plan, severity: Severity, typeId?: string | null): Severity {
  const type = incidentTypeOf(plan, typeId);
  if (!type?.targets) return severity;
  const own = Object.fromEntries(Object.entries(type.targets).filter(([, d]) => d !== undefined));
  return { ...severity, targets: { ...severity.targets, ...own } };
}

/**
 * Target durations (ms) of a severity, only those the plan sets. A business-time target ("4bh")
 * counts its ms of business time: when it is due depends on the hours (targetDueAt), this is its size.
 */
export function targetDurations(
  plan: Pick<Plan, 'businessHours'>,
  severity: Severity,
): Partial<Record<TargetKind, number>> {
  const out: Partial<Record<TargetKind, number>> = {};
  for (const kind of TARGET_KINDS) {
    const d = severity.targets[kind];
    if (d) out[kind] = planSpanOf(d, planBusinessHours(plan)).ms;
  }
  return out;
}

/** Whether an incident goes on the public status page under the plan's statusPage.when. */
export function onStatusPage(plan: Plan, incident: { customer_facing?: boolean | undefined }): boolean {
  const { when } = plan.statusPage;
  return when === 'always' || (when === 'customer-facing' && incident.customer_facing === true);
}
