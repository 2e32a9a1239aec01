import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPlan } from '../../src/domain/plans/plan.ts';
import { effectiveRules } from '../../src/domain/workflows/compile-plan-rules.ts';
import { formatSourceError } from '../../src/lib/yaml-source.ts';

// Plans valid when written stay valid: every file here loads without an error under today's schema.
const dir = 'test/plan-corpus';
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

describe('the plan corpus', () => {
  it('holds plans', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
  });

  it.each(files)('%s still validates and compiles', (file) => {
    const loaded = loadPlan(readFileSync(`${dir}/${file}`, 'utf8'), file);
    expect(loaded.errors.map(formatSourceError)).toEqual([]);
    expect(effectiveRules(loaded.plan as NonNullable<typeof loaded.plan>).length).toBeGreaterThan(0);
  });
});
