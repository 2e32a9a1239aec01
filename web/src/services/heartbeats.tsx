import { useQuery } from '@tanstack/react-query';
import { answer, api } from '../api/client';
import { ErrorNote } from '../ui/field';
import { TableWrap } from '../ui/table-wrap';
import { Time } from '../ui/time';

interface Heartbeat {
  integration_id: string;
  name: string;
  service: string;
  status: 'new' | 'up' | 'down' | 'disabled';
  interval: string;
  grace: string;
  last_ping_at: string | null;
  pings: number;
  down_since: string | null;
  expected_by: string | null;
}

const BADGE: Record<Heartbeat['status'], string> = { up: 'ok', new: '', down: 'danger', disabled: '' };

/** Every heartbeat (cron jobs pinging Tocsin): its state, last beat and when the next is due. */
export function Heartbeats() {
  const heartbeats = useQuery({
    queryKey: ['heartbeats'],
    queryFn: () =>
      answer<{ heartbeats: Heartbeat[] }>(api.GET('/api/v1/heartbeats')).then((a) => a.heartbeats),
  });
  const rows = heartbeats.data ?? [];
  return (
    <section aria-labelledby="heartbeats-title">
      <h2 id="heartbeats-title">Heartbeats</h2>
      <ErrorNote error={heartbeats.error} />
      {rows.length === 0 ? (
        <p className="empty">{heartbeats.isLoading ? 'Loading heartbeats…' : 'No heartbeats yet.'}</p>
      ) : (
        <TableWrap label="Heartbeats">
          <table aria-label="Heartbeats">
            <thead>
              <tr>
                <th scope="col">Heartbeat</th>
                <th scope="col">Status</th>
                <th scope="col">Every</th>
                <th scope="col">Last beat</th>
                <th scope="col">Next due by</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((h) => (
                <tr key={h.integration_id}>
                  <td>
                    {h.service} / {h.name}
                  </td>
                  <td>
                    <span className={`badge ${BADGE[h.status]}`}>{h.status}</span>
                    {h.down_since && (
                      <span className="small">
                        {' '}
                        since <Time at={h.down_since} />
                      </span>
                    )}
                  </td>
                  <td>
                    {h.interval}
                    {h.grace !== '0s' && <span className="muted small"> (+{h.grace} grace)</span>}
                  </td>
                  <td>{h.last_ping_at ? <Time at={h.last_ping_at} /> : 'never'}</td>
                  <td>{h.expected_by ? <Time at={h.expected_by} /> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
