import { parseDuration } from '../../lib/duration.ts';
import {
  issuesToSourceErrors,
  parseYamlSource,
  type SourceDocument,
  type SourceError,
} from '../../lib/yaml-source.ts';
import { type Plan, planSchema, type Severity, TARGET_KINDS, type TargetKind } from './plan-schema.ts';

export type { Plan, Severity, TargetKind };

export interface PlanLoad {
  plan?: Plan;
  errors: SourceError[];
}

/** Validates one parsed YAML document as a Plan: schema, then references between its parts. */
export function validatePlanDocument(doc: SourceDocument): PlanLoad {
  const parsed = planSchema.safeParse(doc.value);
  if (!parsed.success) return { errors: issuesToSourceErrors(doc, parsed.error.issues) };
  const errors = checkReferences(parsed.data).map((r) => ({
    file: doc.file,
    ...doc.locate(r.path),
    message: r.message,
  }));
  return errors.length > 0 ? { errors } : { plan: parsed.data, errors: [] };
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

interface ReferenceError {
  path: PropertyKey[];
  message: string;
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

/** Cross-references a schema-valid plan: duplicate ids, undefined severities, states and roles. */
export function checkReferences(plan: Plan): ReferenceError[] {
  const errors: ReferenceError[] = [];
  for (const [dup, i] of duplicates(plan.severities.map((s) => s.id))) {
    errors.push({ path: ['severities', i, 'id'], message: `duplicate severity id "${dup}"` });
  }
  for (const [dup, i] of duplicates(plan.roles.map((r) => r.id))) {
    errors.push({ path: ['roles', i, 'id'], message: `duplicate role id "${dup}"` });
  }
  const states = plan.lifecycle.states.map((s) => s.id);
  for (const [dup, i] of duplicates(states)) {
    errors.push({ path: ['lifecycle', 'states', i, 'id'], message: `duplicate state "${dup}"` });
  }
  const stateSet = new Set(states);
  for (const key of ['initial', 'resolved'] as const) {
    const v = plan.lifecycle[key];
    if (v && !stateSet.has(v)) errors.push({ path: ['lifecycle', key], message: `undefined state "${v}"` });
  }
  for (const [from, tos] of Object.entries(plan.lifecycle.transitions ?? {})) {
    if (!stateSet.has(from))
      errors.push({ path: ['lifecycle', 'transitions', from], message: `undefined state "${from}"` });
    tos.forEach((to, i) => {
      if (!stateSet.has(to))
        errors.push({ path: ['lifecycle', 'transitions', from, i], message: `undefined state "${to}"` });
    });
  }
  const severityIds = new Set(plan.severities.map((s) => s.id));
  const roleIds = new Set(plan.roles.map((r) => r.id));
  plan.workflows.forEach((w, wi) => {
    const refs: [keyof NonNullable<typeof w.if>, Set<string>, string][] = [
      ['severity', severityIds, 'severity'],
      ['state', stateSet, 'state'],
      ['role', roleIds, 'role'],
    ];
    for (const [field, known, label] of refs) {
      for (const value of matcherValues(w.if?.[field])) {
        if (!known.has(value))
          errors.push({ path: ['workflows', wi, 'if', field], message: `undefined ${label} "${value}"` });
      }
    }
    if (typeof w.when === 'object' && w.when.state && !stateSet.has(w.when.state)) {
      errors.push({ path: ['workflows', wi, 'when', 'state'], message: `undefined state "${w.when.state}"` });
    }
  });
  return errors;
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

export function severityOf(plan: Plan, severityId: string): Severity | undefined {
  return plan.severities.find((s) => s.id === severityId);
}

/** Target durations (ms) of a severity, only those the plan sets. */
export function targetDurations(severity: Severity): Partial<Record<TargetKind, number>> {
  const out: Partial<Record<TargetKind, number>> = {};
  for (const kind of TARGET_KINDS) {
    const d = severity.targets[kind];
    if (d) out[kind] = parseDuration(d);
  }
  return out;
}
