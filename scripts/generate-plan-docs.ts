import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { planJsonSchemaText, planReferenceMarkdown } from '../src/domain/plans/plan-docs.ts';

// npm run docs:plan: writes the plan format's JSON Schema and reference from plan-schema.ts.
// src/domain/plans/plan-docs.test.ts fails when the committed files differ from what this writes.
const docs = (name: string) => fileURLToPath(new URL(`../docs/${name}`, import.meta.url));

writeFileSync(docs('plan.schema.json'), planJsonSchemaText());
writeFileSync(docs('plan-reference.md'), planReferenceMarkdown());
process.stdout.write('wrote docs/plan.schema.json and docs/plan-reference.md\n');
