import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planFields, planJsonSchemaText, planReferenceMarkdown } from './plan-docs.ts';
import { listedUse, PLAN_FIELD_USE } from './plan-fields.ts';

// The published schema and reference are generated from plan-schema.ts. When this fails, run
// `npm run docs:plan` and commit the result.
const docs = (name: string) => readFileSync(new URL(`../../../docs/${name}`, import.meta.url), 'utf8');

describe('published plan format', () => {
  it('docs/plan.schema.json matches the schema', () => {
    expect(docs('plan.schema.json')).toBe(planJsonSchemaText());
  });

  it('docs/plan-reference.md matches the schema', () => {
    expect(docs('plan-reference.md')).toBe(planReferenceMarkdown());
  });

  it('documents every top-level key', () => {
    const schema = JSON.parse(planJsonSchemaText()) as { properties: Record<string, unknown> };
    const reference = planReferenceMarkdown();
    for (const key of Object.keys(schema.properties)) expect(reference).toContain(`| \`${key}\``);
  });

  it('says for every field whether Tocsin acts on it, from plan-fields.ts', () => {
    const fields = planFields();
    // Every entry names a field of the schema (a renamed or removed field fails here) …
    expect(Object.keys(PLAN_FIELD_USE).filter((path) => !fields.has(path))).toEqual([]);
    // … and every field that holds a value has an entry, itself or through an ancestor.
    const unlisted = [...fields].filter(([path, children]) => children.length === 0 && !listedUse(path));
    expect(unlisted.map(([path]) => path)).toEqual([]);
    const reference = planReferenceMarkdown();
    expect(reference).toContain('| `rotation` | text | **stored only** |');
    expect(reference).toContain('| `approvals` | object | acted on |');
    expect(reference).toContain('| `acknowledge` | duration or business time | acted on |');
  });
});
