import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { RowUpdate } from './schema.ts';
import { buildingDb, StatementShapes } from './statement-shapes.ts';

const db = buildingDb;

const shapes = new StatementShapes((variant: string, where: { id: string }, set: RowUpdate<'incidents'>) =>
  db
    .updateTable('incidents')
    .set(set)
    .where('id', '=', where.id)
    .where(variant === 'open' ? sql<boolean>`resolved_at is null` : sql<boolean>`true`)
    .returning('id'),
);

describe('StatementShapes', () => {
  it('fills the parameters of the statement built for the same shape', () => {
    const a = shapes.compiled('', [{ id: '1' }, { state: 'mitigated', title: 'a' }]);
    const b = shapes.compiled('', [{ id: '2' }, { state: 'resolved', title: 'b' }]);
    expect(b.sql).toBe(a.sql);
    expect(a.parameters).toEqual(['mitigated', 'a', '1']);
    expect(b.parameters).toEqual(['resolved', 'b', '2']);
    expect(b.sql).toBe(
      db
        .updateTable('incidents')
        .set({ state: 'resolved', title: 'b' })
        .where('id', '=', '2')
        .where(sql<boolean>`true`)
        .returning('id')
        .compile().sql,
    );
  });

  it('builds another statement for undefined fields and for another variant', () => {
    const all = shapes.compiled('', [{ id: '1' }, { state: 'mitigated', title: 'a' }]);
    const fewer = shapes.compiled('', [{ id: '1' }, { state: 'mitigated', title: undefined }]);
    expect(fewer.sql).not.toBe(all.sql);
    expect(fewer.parameters).toEqual(['mitigated', '1']);
    const open = shapes.compiled('open', [{ id: '1' }, { state: 'mitigated', title: 'a' }]);
    expect(open.sql).toContain('resolved_at is null');
    expect(all.sql).not.toContain('resolved_at is null');
  });
});
