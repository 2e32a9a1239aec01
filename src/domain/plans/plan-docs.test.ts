import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planJsonSchemaText, planReferenceMarkdown } from './plan-docs.ts';

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
});
