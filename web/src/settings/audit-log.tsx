import { useQuery } from '@tanstack/react-query';
import { answer, api } from '../api/client';
import type { AuditEntry } from '../api/models';
import { ErrorNote } from '../ui/field';
import { TableWrap } from '../ui/table-wrap';
import { Time } from '../ui/time';

export function AuditLog() {
  const entries = useQuery({
    queryKey: ['audit'],
    queryFn: () =>
      answer<{ entries: AuditEntry[] }>(api.GET('/api/v1/audit', { params: { query: { limit: 100 } } })).then(
        (a) => a.entries,
      ),
  });
  return (
    <>
      <ErrorNote error={entries.error} />
      <TableWrap label="Audit log">
        <table aria-label="Audit log">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">On</th>
            </tr>
          </thead>
          <tbody>
            {(entries.data ?? []).map((e) => (
              <tr key={e.id}>
                <td>
                  <Time at={e.at} />
                </td>
                <td>{e.actor_name ?? '—'}</td>
                <td>{e.action}</td>
                <td>
                  {e.entity_type} {e.entity_id ?? ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </>
  );
}
