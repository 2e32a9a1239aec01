import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCheck } from '../../cli/plan.ts';
import { loadPlan } from './plan.ts';
import { planReadiness, readinessLines } from './readiness.ts';

// The readiness report `tocsin plan check` prints, from plans loaded as the CLI loads them.

const minimal = readFileSync('examples/plans/minimal.yaml', 'utf8');
const NOW = new Date('2026-03-02T10:00:00Z');

/** minimal.yaml with SEV1 paging a group, SEV2 paging only through the service, and `extra` appended. */
function planText(extra: string, sev2Page = ''): string {
  return `${minimal
    .replace(
      '    targets: { acknowledge: 5m, firstUpdate: 15m, resolve: 4h }\n',
      '    targets: { acknowledge: 5m, firstUpdate: 15m, resolve: 4h }\n    page: { to: sre }\n',
    )
    .replace(
      '    targets: { acknowledge: 30m, resolve: 1d }\n',
      `    targets: { acknowledge: 30m, resolve: 1d }\n${sev2Page}`,
    )
    .replace('roles:\n', 'groups:\n  - { id: sre, title: SRE, users: [ana] }\nroles:\n')}${extra}`;
}

function load(text: string) {
  const read = loadPlan(text, 'p.yaml');
  expect(read.errors).toEqual([]);
  if (!read.plan) throw new Error('no plan');
  expect(read.warnings ?? []).toEqual([]); // review acts now: no stored-only warning
  return read.plan;
}

afterEach(() => vi.restoreAllMocks());

describe('plan readiness', () => {
  it('is clean when every severity names whom it pages and the review is not yet due', () => {
    const plan = load(
      planText('review: { every: quarterly, lastReviewed: 2026-01-15 }\n', '    page: { to: sre }\n'),
    );
    const r = planReadiness(plan, NOW);
    expect(r).toEqual({
      severities: [
        { id: 'SEV1', route: 'named' },
        { id: 'SEV2', route: 'named' },
      ],
      review: {
        every: 'quarterly',
        last_reviewed: '2026-01-15',
        due_at: '2026-04-15T00:00:00.000Z',
        due: false,
      },
      days_since_last_exercise: null,
    });
    expect(readinessLines(r)).toEqual([
      'severity SEV1: pages whom the plan names',
      'severity SEV2: pages whom the plan names',
      'review: next due 2026-04-15 (every quarterly, last 2026-01-15)',
      'exercises: no exercise recorded',
    ]);
  });

  it('says which severities page nobody or only a service policy, and an overdue or missing review', () => {
    const overdue = planReadiness(load(planText('review: { every: 30d, lastReviewed: 2026-01 }\n')), NOW);
    expect(overdue.severities).toEqual([
      { id: 'SEV1', route: 'named' },
      { id: 'SEV2', route: 'service_policy' },
    ]);
    expect(overdue.review).toEqual({
      every: '30d',
      last_reviewed: '2026-01',
      due_at: '2026-01-31T00:00:00.000Z',
      due: true,
    });
    expect(readinessLines(overdue).slice(1, 3)).toEqual([
      "severity SEV2: pages only the service's escalation policy",
      'review: due since 2026-01-31 (every 30d, last 2026-01)',
    ]);

    const never = planReadiness(
      load(planText('review: { every: yearly }\n', '    page: { servicePolicy: false }\n')),
      NOW,
    );
    expect(never.severities[1]).toEqual({ id: 'SEV2', route: 'nobody' });
    expect(never.review).toEqual({ every: 'yearly', last_reviewed: null, due_at: null, due: true });
    expect(readinessLines(never).slice(1, 3)).toEqual([
      'severity SEV2: pages nobody',
      'review: due now (every yearly, never reviewed: set review.lastReviewed)',
    ]);

    const noCycle = planReadiness(load(planText('')), NOW);
    expect(noCycle.review).toBeNull();
    expect(readinessLines(noCycle)[2]).toBe('review: no review cycle stated (review.every)');
  });

  it('is printed by plan check under the OK line and in --json, with the page-nobody warnings unchanged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-readiness-'));
    const file = join(dir, 'p.yaml');
    writeFileSync(
      file,
      planText(
        'review: { every: monthly, lastReviewed: 2026-01-31 }\n',
        '    page: { servicePolicy: false }\n',
      ),
    );
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => out.push(String(s)) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => err.push(String(s)) > 0);

    expect(runCheck([file], {}, NOW)).toBe(0);
    expect(out.join('')).toContain(
      [
        '  severity SEV1: pages whom the plan names',
        '  severity SEV2: pages nobody',
        '  review: due since 2026-02-28 (every monthly, last 2026-01-31)', // Jan 31 + 1 month: Feb's last day
        '  exercises: no exercise recorded',
      ].join('\n'),
    );
    expect(err.join('')).toContain('SEV2 incidents page nobody');

    out.length = 0;
    expect(runCheck([file], { json: true }, NOW)).toBe(0);
    const [result] = JSON.parse(out.join('')) as { readiness: unknown; paging_warnings: string[] }[];
    expect(result?.readiness).toEqual(planReadiness(load(readFileSync(file, 'utf8')), NOW));
    expect(result?.paging_warnings.some((w) => w.includes('SEV2 incidents page nobody'))).toBe(true);
  });
});
