import type { Operation } from '../context.ts';
import { expectedBy, heartbeatConfigSchema } from './heartbeats.ts';
import * as heartbeats from './queries.ts';

export interface HeartbeatView {
  integration_id: string;
  name: string;
  service: string;
  /** new (never pinged), up, down (silent past interval + grace), or disabled. */
  status: 'new' | 'up' | 'down' | 'disabled';
  interval: string;
  grace: string;
  last_ping_at: Date | null;
  pings: number;
  down_since: Date | null;
  /** When the next ping is due at the latest (null while down or disabled). */
  expected_by: Date | null;
}

/** The heartbeats (cron jobs pinging Tocsin) with their last beat and state, for the console. */
export async function listHeartbeats({ ctx }: Operation<void>): Promise<HeartbeatView[]> {
  ctx.require('read');
  const rows = await heartbeats.listAll(ctx.db);
  return rows.map((r) => {
    const config = heartbeatConfigSchema.parse(r.config);
    const state = r.state ?? 'new';
    const status = r.disabled_at ? 'disabled' : state;
    return {
      integration_id: r.id,
      name: r.name,
      service: r.service_name,
      status,
      interval: config.interval,
      grace: config.grace,
      last_ping_at: r.last_ping_at ?? null,
      pings: Number(r.pings ?? 0),
      down_since: state === 'down' ? (r.down_since ?? null) : null,
      expected_by:
        status === 'new' || status === 'up' ? expectedBy(r.last_ping_at ?? r.created_at, config) : null,
    };
  });
}
