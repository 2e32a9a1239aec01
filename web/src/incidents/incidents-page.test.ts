import { describe, expect, it } from 'vitest';
import type { Incident } from '../api/models';
import { keysFor } from '../live/live';
import { sortIncidents } from './incidents-page';

const incident = (id: string, declared: string, resolved: string | null): Incident =>
  ({ id, declared_at: declared, resolved_at: resolved }) as Incident;

describe('incident list order', () => {
  it('puts open incidents first, newest first within each group', () => {
    const sorted = sortIncidents([
      incident('1', '2026-12-01T00:00:00Z', null),
      incident('2', '2026-12-03T00:00:00Z', '2026-12-03T01:00:00Z'),
      incident('3', '2026-12-02T00:00:00Z', null),
    ]);
    expect(sorted.map((i) => i.id)).toEqual(['3', '1', '2']);
  });
});

describe('live events', () => {
  it('refetch what each kind of change touches', () => {
    expect(keysFor('incident.changed', '7')).toEqual([['incidents'], ['incident', '7']]);
    expect(keysFor('page.changed', '7')).toEqual([
      ['pages', '7'],
      ['incident', '7'],
    ]);
    expect(keysFor('oncall.changed', undefined)).toContainEqual(['oncall']);
    expect(keysFor('something.else', '1')).toEqual([]);
  });
});
