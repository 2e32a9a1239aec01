import type { Executor } from '../../db/schema.ts';
import { newIntegrationKey } from '../services/services.ts';
import { allRows, bumpSequence, DIRECTORY_TABLES, insertRows, jsonColumns } from './queries.ts';

const CHUNK = 500;

/**
 * Copies the people and the on-call setup (users, teams, contacts, notification rules, quiet hours,
 * schedules and overrides, escalation policies) and the services with their integrations from the live store into a replay's throwaway store,
 * so the replay routes alerts and pages whoever the plan's routes find at the incident's time. Passwords stay behind.
 */
export async function copyDirectory(live: Executor, store: Executor): Promise<void> {
  for (const table of DIRECTORY_TABLES) {
    const json = await jsonColumns(store, table);
    const rows = (await allRows(live, table)).map((row) => {
      const out: Record<string, unknown> = {};
      for (const [column, value] of Object.entries(row)) {
        // pg would send a JS array as a PostgreSQL array: JSON columns get JSON text.
        out[column] = json.has(column) && value !== null ? JSON.stringify(value) : value;
      }
      if ('password_hash' in out) out.password_hash = null;
      // Inbound keys are secrets, and nothing sends to a throwaway store: each copy gets a new one.
      if (table === 'integrations') out.key = newIntegrationKey();
      // No plan is stored yet: the drill that raises a service's alerts puts it under the changed plan.
      if (table === 'services') out.plan_name = null;
      return out;
    });
    for (let i = 0; i < rows.length; i += CHUNK) await insertRows(store, table, rows.slice(i, i + CHUNK));
    if (rows[0] && 'id' in rows[0]) await bumpSequence(store, table);
  }
}
