import type { Row } from '../../db/schema.ts';
import { fromSteps } from './policies.ts';

export function showPolicy(p: Row<'escalation_policies'>) {
  return {
    name: p.name,
    description: p.description,
    steps: fromSteps(p.steps),
    repeat: p.repeat,
    created_at: p.created_at,
    updated_at: p.updated_at,
  };
}
export type PolicyView = ReturnType<typeof showPolicy>;
