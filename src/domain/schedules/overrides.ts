import type { Row } from '../../db/schema.ts';

/** An override as the API shows it. */
export interface OverrideView {
  id: string;
  schedule: string;
  start: string;
  end: string;
  user: string;
  replaces: string | null;
  created_at: string;
  created_by: string;
}

export function overrideView(
  schedule: string,
  o: Pick<Row<'schedule_overrides'>, 'id' | 'starts_at' | 'ends_at' | 'created_at' | 'created_by'> & {
    user: string;
    replaces: string | null;
  },
): OverrideView {
  return {
    id: String(o.id),
    schedule,
    start: o.starts_at.toISOString(),
    end: o.ends_at.toISOString(),
    user: o.user,
    replaces: o.replaces,
    created_at: o.created_at.toISOString(),
    created_by: o.created_by,
  };
}
