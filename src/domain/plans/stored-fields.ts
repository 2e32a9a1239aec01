import type { SourceDocument, SourceError } from '../../lib/yaml-source.ts';
import { type DerivedUse, type JsonSchema, planFieldUses, planJsonSchema } from './plan-docs.ts';

// Warnings for the fields a plan uses that Tocsin only stores (plan-fields.ts says which): the plan
// is valid and they are kept, but nothing acts on them yet. One warning per field, at its key.

let known: { schema: JsonSchema; uses: Map<string, DerivedUse> } | undefined;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The variant of a union a value is written in (for an object: the one that has all its keys). */
function variantFor(value: unknown, s: JsonSchema): JsonSchema | undefined {
  return s.anyOf?.find((v) => {
    if (Array.isArray(value)) return v.type === 'array';
    if (!isPlainObject(value) || v.type !== 'object') return false;
    return v.properties === undefined || Object.keys(value).every((k) => k in (v.properties ?? {}));
  });
}

export function storedOnlyFields(doc: SourceDocument): SourceError[] {
  known ??= { schema: planJsonSchema(), uses: planFieldUses() };
  const { uses } = known;
  const out: SourceError[] = [];
  const walk = (value: unknown, s: JsonSchema, path: string, at: PropertyKey[]): void => {
    if (s.anyOf) {
      const variant = variantFor(value, s);
      if (variant) walk(value, variant, path, at);
    } else if (Array.isArray(value) && s.items) {
      for (const [i, item] of value.entries()) walk(item, s.items, `${path}[]`, [...at, i]);
    } else if (isPlainObject(value) && s.properties) {
      for (const [key, v] of Object.entries(value)) {
        const p = s.properties[key];
        if (!p) continue;
        const field = path ? `${path}.${key}` : key;
        const use = uses.get(field);
        if (use === 'stored') {
          out.push({
            file: doc.file,
            ...doc.locateKey(at, key),
            message: `warning: ${[...at, key].join('.')} is stored only: Tocsin keeps it but does not act on it yet`,
          });
        } else if (use !== 'text') walk(v, p, field, [...at, key]);
      }
    } else if (isPlainObject(value) && typeof s.additionalProperties === 'object') {
      for (const [key, v] of Object.entries(value))
        walk(v, s.additionalProperties, `${path}.<name>`, [...at, key]);
    }
  };
  walk(doc.value, known.schema, '', []);
  return out.sort((a, b) => a.line - b.line || a.col - b.col);
}
