import type { Matcher } from './workflow-schema.ts';

// Matcher semantics for workflow conditions. A value matches a scalar when equal (numbers and
// strings compare by their text, so `fields: {priority: 1}` matches "1"), a list when equal to one of
// it; operator objects combine (all given operators must hold). An array value (a multi-valued field)
// matches when any element does; `not` holds when none does. A missing value only satisfies `not` and
// `exists: false`.

type Scalar = string | number | boolean;

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

function equals(value: unknown, expected: Scalar): boolean {
  if (!present(value)) return false;
  if (typeof value === 'object') return false;
  return String(value) === String(expected);
}

function anyElement(value: unknown, test: (v: unknown) => boolean): boolean {
  return Array.isArray(value) ? value.some(test) : test(value);
}

function oneOf(value: unknown, list: readonly Scalar[]): boolean {
  return anyElement(value, (v) => list.some((e) => equals(v, e)));
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export function matches(value: unknown, matcher: Matcher): boolean {
  if (Array.isArray(matcher)) return oneOf(value, matcher);
  if (typeof matcher !== 'object' || matcher === null) return oneOf(value, [matcher]);
  if (matcher.exists !== undefined) {
    const exists = Array.isArray(value) ? value.length > 0 : present(value);
    if (exists !== matcher.exists) return false;
  }
  if (matcher.not !== undefined) {
    const excluded = Array.isArray(matcher.not) ? matcher.not : [matcher.not];
    if (oneOf(value, excluded)) return false;
  }
  if (matcher.in !== undefined && !oneOf(value, matcher.in)) return false;
  if (matcher.gt !== undefined || matcher.lt !== undefined) {
    const { gt, lt } = matcher;
    const ok = anyElement(value, (v) => {
      const n = asNumber(v);
      if (n === undefined) return false;
      return (gt === undefined || n > gt) && (lt === undefined || n < lt);
    });
    if (!ok) return false;
  }
  return true;
}
