import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { answer, api } from '../api/client';
import type { IncidentDetail } from '../api/models';
import { ErrorNote } from '../ui/field';

// Approval requests on gated actions (plan approvals.actions): what was asked, by whom, what is
// missing, and approve / reject buttons. The server decides who may vote; this shows its answers.

interface ApprovalRequest {
  id: string;
  summary: string;
  status: 'pending' | 'approved' | 'rejected';
  requested_by: string;
  missing: string[];
  votes: { by: string; verdict: string; comment: string }[];
}

export function ApprovalsSection({ detail, canAct }: { detail: IncidentDetail; canAct: boolean }) {
  const id = detail.incident.id;
  // A new request or vote is on the timeline: its length changing refetches the list.
  const requests = useQuery({
    queryKey: ['approvals', id, detail.timeline.length],
    queryFn: () =>
      answer<{ approvals: ApprovalRequest[] }>(
        api.GET('/api/v1/incidents/{id}/approvals', { params: { path: { id } } }),
      ).then((a) => a.approvals),
  });
  if (!requests.data || requests.data.length === 0) return null;
  return (
    <section aria-labelledby="approvals-title">
      <h2 id="approvals-title">Approvals</h2>
      <ol className="updates">
        {[...requests.data].reverse().map((r) => (
          <li key={r.id} className="card" data-testid={`action-approval-${r.id}`}>
            <p>
              <strong>{r.summary}</strong> asked by {r.requested_by}:{' '}
              <span
                className={`tag ${r.status === 'pending' ? 'warn' : r.status === 'approved' ? 'ok' : 'bad'}`}
              >
                {r.status}
              </span>
            </p>
            {r.missing.map((m) => (
              <span key={m} className="tag warn">
                waiting for {m}
              </span>
            ))}
            {r.votes.map((v) => (
              <span key={v.by} className={`tag ${v.verdict === 'approved' ? 'ok' : 'bad'}`}>
                {v.verdict} by {v.by}
                {v.comment ? `: ${v.comment}` : ''}
              </span>
            ))}
            {canAct && r.status === 'pending' && <Decide incidentId={id} requestId={r.id} />}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Decide({ incidentId, requestId }: { incidentId: string; requestId: string }) {
  const client = useQueryClient();
  const [comment, setComment] = useState('');
  const decide = useMutation({
    mutationFn: (verb: 'approve' | 'reject') =>
      answer(
        api.POST(
          verb === 'approve'
            ? '/api/v1/incidents/{id}/approvals/{request}/approve'
            : '/api/v1/incidents/{id}/approvals/{request}/reject',
          { params: { path: { id: incidentId, request: requestId } }, body: { comment } },
        ),
      ),
    onSettled: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: ['approvals', incidentId] }),
        client.invalidateQueries({ queryKey: ['incident', incidentId] }),
      ]),
  });
  return (
    <div className="row">
      <label>
        <span className="visually-hidden">Comment</span>
        <input value={comment} placeholder="Comment" onChange={(e) => setComment(e.target.value)} />
      </label>
      <button type="button" className="button" onClick={() => decide.mutate('approve')}>
        Approve
      </button>
      <button type="button" className="button ghost" onClick={() => decide.mutate('reject')}>
        Reject
      </button>
      <ErrorNote error={decide.error} />
    </div>
  );
}
