// The small JSONPath subset the generic webhook's field mapping needs: `$`, `.key`, `['key']` or
// `["key"]`, `[n]` (negative counts from the end), `[*]` and `.*`. Hand-written on purpose: the npm
// JSONPath libraries (jsonpath, jsonpath-plus) evaluate filter expressions with an embedded script
// evaluator, which an admin-supplied mapping has no need for. Nothing here evaluates code.

export type PathSegment = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'all' };

export type CompiledPath = { ok: true; segments: PathSegment[] } | { ok: false; error: string };

export const MAX_PATH_LENGTH = 256;
const MAX_SEGMENTS = 32;
const MAX_MATCHES = 10_000;
const NAME = /^[^.[\]\s'"*][^.[\]\s'"]*/;

/** Parses a path such as `$.items[*].labels['team']`; says where it went wrong otherwise. */
export function compileJsonPath(path: string): CompiledPath {
  if (path.length > MAX_PATH_LENGTH)
    return { ok: false, error: `is longer than ${MAX_PATH_LENGTH} characters` };
  if (!path.startsWith('$')) return { ok: false, error: 'must start with $ (the body), e.g. $.title' };
  const segments: PathSegment[] = [];
  let i = 1;
  while (i < path.length) {
    const step = segmentAt(path, i);
    if ('error' in step) return { ok: false, error: `${step.error} at character ${i + 1} of ${path}` };
    segments.push(step.segment);
    if (segments.length > MAX_SEGMENTS) return { ok: false, error: `has more than ${MAX_SEGMENTS} steps` };
    i = step.next;
  }
  return { ok: true, segments };
}

type Step = { segment: PathSegment; next: number } | { error: string };

function segmentAt(path: string, i: number): Step {
  if (path[i] === '.') {
    if (path[i + 1] === '*') return { segment: { kind: 'all' }, next: i + 2 };
    const name = NAME.exec(path.slice(i + 1))?.[0];
    return name
      ? { segment: { kind: 'key', key: name }, next: i + 1 + name.length }
      : { error: 'expected a name after "."' };
  }
  if (path[i] !== '[') return { error: 'expected "." or "["' };
  const rest = path.slice(i + 1);
  if (rest.startsWith('*]')) return { segment: { kind: 'all' }, next: i + 3 };
  const index = /^(-?\d{1,9})\]/.exec(rest);
  if (index?.[1])
    return { segment: { kind: 'index', index: Number(index[1]) }, next: i + 2 + index[1].length };
  const quote = rest[0];
  if (quote === "'" || quote === '"') return quotedKey(path, i + 2, quote);
  return { error: 'expected a number, * or a quoted name inside [ ]' };
}

/** ['it''s'] is not supported; \' and \\ escape inside quotes. */
function quotedKey(path: string, start: number, quote: string): Step {
  let key = '';
  for (let j = start; j < path.length; j++) {
    const c = path[j];
    if (c === '\\' && j + 1 < path.length) {
      key += path[j + 1];
      j++;
    } else if (c === quote) {
      return path[j + 1] === ']' ? { segment: { kind: 'key', key }, next: j + 2 } : { error: 'expected "]"' };
    } else {
      key += c;
    }
  }
  return { error: `unterminated ${quote}` };
}

/** Every value the path reaches in `root` (none when a step finds nothing). Total: never throws. */
export function evaluateJsonPath(segments: readonly PathSegment[], root: unknown): unknown[] {
  let current: unknown[] = [root];
  for (const segment of segments) {
    const next: unknown[] = [];
    for (const value of current) {
      for (const child of step(segment, value)) {
        if (next.length >= MAX_MATCHES) break;
        next.push(child);
      }
    }
    current = next;
    if (current.length === 0) break;
  }
  return current;
}

function step(segment: PathSegment, value: unknown): unknown[] {
  if (typeof value !== 'object' || value === null) return [];
  if (segment.kind === 'all') return Array.isArray(value) ? value : Object.values(value);
  if (segment.kind === 'index') {
    if (!Array.isArray(value)) return [];
    const at = segment.index < 0 ? value.length + segment.index : segment.index;
    return at >= 0 && at < value.length ? [value[at]] : [];
  }
  // Own properties only: "constructor" or "__proto__" must not reach Object.prototype.
  if (Array.isArray(value) || !Object.hasOwn(value, segment.key)) return [];
  return [(value as Record<string, unknown>)[segment.key]];
}
