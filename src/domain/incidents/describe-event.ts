// One human line per timeline event, shared by every client (CLI today, the web UI later).
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const list = (v: unknown): string => (Array.isArray(v) ? v.map(str).join(', ') : str(v));

const ATTACHED: Record<string, string> = {
  declared: 'opened the incident',
  reopened: 'triggered again and reopened the incident',
};

/** One line for a timeline event. */
export function describeEvent(kind: string, data: Record<string, unknown>): string {
  switch (kind) {
    case 'incident.declared':
      return `declared ${str(data.severity)}${data.type ? ` ${str(data.type)}` : ''} under ${str(data.plan)}@${str(data.plan_version)}`;
    case 'incident.acknowledged':
      return 'acknowledged';
    case 'incident.triaged':
      return `triaged as ${str(data.severity)}`;
    case 'incident.severity_changed':
      return `severity ${str(data.from)} → ${str(data.to)}: ${str(data.reason)}`;
    case 'incident.type_changed':
      return `type ${str(data.from) || 'none'} → ${str(data.to) || 'none'}: ${str(data.reason)}`;
    case 'incident.urgency_raised':
      return `urgency ${str(data.from)} → ${str(data.to)}: ${str(data.reason)}`;
    case 'incident.state_changed':
      return `state ${str(data.from)} → ${str(data.to)}${data.reopened ? ' (reopened)' : ''}${data.reason ? `: ${str(data.reason)}` : ''}`;
    case 'incident.resolved': {
      const alerts = Number(data.alerts_resolved ?? 0);
      const withAlerts = alerts > 0 ? ` (and ${alerts} alert${alerts === 1 ? '' : 's'} with it)` : '';
      const detached = Number(data.alerts_detached ?? 0);
      const left =
        detached > 0 ? `; ${detached} alert${detached === 1 ? '' : 's'} detached, still triggered` : '';
      return `resolved${withAlerts}${left}${data.resolution ? `: ${str(data.resolution)}` : ''}`;
    }
    case 'incident.alert_attached':
      return `alert "${str(data.summary)}" from ${str(data.source) || 'an integration'} (${str(data.severity)}, key ${str(data.dedup_key)}) ${ATTACHED[str(data.how)] ?? 'joined'}`;
    case 'incident.role_assigned':
      return `${str(data.role)} → ${str(data.user)}${data.previous ? ` (was ${str(data.previous)})` : ''}`;
    case 'incident.responder_added':
      return `responder ${str(data.responder)}${data.user ? ` (${str(data.user)})` : ''} added`;
    case 'incident.linked':
      return `linked to incident ${str(data.incident_id)} "${str(data.title)}"`;
    case 'incident.unlinked':
      return `unlinked from incident ${str(data.incident_id)} "${str(data.title)}"`;
    case 'incident.merged_into':
      return `merged into incident ${str(data.incident_id)} "${str(data.title)}" (${str(data.alerts_moved)} alerts moved)`;
    case 'incident.merged_in':
      return `incident ${str(data.incident_id)} "${str(data.title)}" merged in (${str(data.alerts_moved)} alerts moved)`;
    case 'incident.field_changed':
      return `${str(data.field)} changed`;
    case 'note':
      return str(data.text);
    case 'hypothesis.added':
      return `hypothesis: ${str(data.statement)}`;
    case 'hypothesis.changed':
      return `hypothesis ${str(data.to)}: ${str(data.statement)}${data.result ? ` — ${str(data.result)}` : ''}`;
    case 'checklist.item_added':
      return `checklist ${str(data.checklist)} + ${str(data.text)}`;
    case 'checklist.item_done':
      return `${data.done ? 'done' : 'not done'}: ${str(data.text)}`;
    case 'runbook.attached':
      return `runbook "${str(data.title)}" attached (${str(data.steps)} steps)${data.url ? `: ${str(data.url)}` : ''}`;
    case 'verification.started':
      return `verifying: ${list(data.checks)} must hold for ${str(data.monitor_for)} (checked every ${str(data.every)})`;
    case 'verification.passed':
      return `verification passed: ${list(data.results)}`;
    case 'verification.failed':
      return `verification failed: ${str(data.reason)}${data.returned_to ? ` (back to ${str(data.returned_to)})` : ''}`;
    case 'approval.requested':
      return `asked for ${str(data.action)}: needs ${list(data.needs)} (approval request ${str(data.request_id)})`;
    case 'approval.approved':
      return `approved ${str(data.action)} (request ${str(data.request_id)})${data.comment ? `: ${str(data.comment)}` : ''}`;
    case 'approval.rejected':
      return `rejected ${str(data.action)} (request ${str(data.request_id)})${data.comment ? `: ${str(data.comment)}` : ''}`;
    case 'approval.granted':
      return `${str(data.action)} approved: carried out as ${str(data.requested_by)} asked (request ${str(data.request_id)})`;
    case 'mitigation.updated':
      return `mitigation plan set${data.mitigated ? ' (in place)' : ''}`;
    case 'update.published':
      return `${str(data.audience)} update published`;
    case 'update.pending_approval':
      return `${str(data.audience)} update ${str(data.update_id)} waits for approval by ${list(data.missing)}`;
    case 'update.approved':
      return `update ${str(data.update_id)} approved for ${str(data.requirement)}`;
    case 'update.changes_requested':
      return `changes requested on update ${str(data.update_id)}: ${str(data.comment)}`;
    case 'update.edited':
      return `update ${str(data.update_id)} edited (revision ${str(data.revision)}; approvals reset)`;
    case 'update.guard_overridden':
      return `update ${str(data.update_id)} kept text that matched ${list(data.rules)}: ${str(data.reason)}`;
    case 'update.overdue':
      return `${str(data.audience)} update overdue (was due ${str(data.due_at)})`;
    case 'target.breached':
      return `target ${str(data.target)} breached (was due ${str(data.due_at)})`;
    case 'workflow.fired': {
      const actions = Array.isArray(data.actions) ? data.actions.join(', ') : '';
      return `workflow "${str(data.workflow)}" fired on ${str(data.trigger)}: ${actions}${data.error ? ` — failed: ${str(data.error)}` : ''}`;
    }
    case 'notification.queued': {
      const to = Array.isArray(data.deliveries)
        ? data.deliveries.map((d) => str((d as { destination?: unknown }).destination)).join(', ')
        : '';
      return `${str(data.action)} → ${to}: ${str(data.text)}`;
    }
    case 'paging.started':
      return `paging started (${str(data.source)}): ${str(data.policy)}`;
    case 'paging.step': {
      const who = Array.isArray(data.users) ? data.users.map(str).join(', ') : '';
      const none =
        Array.isArray(data.empty) && data.empty.length > 0
          ? `; nobody in ${data.empty.map(str).join(', ')}`
          : '';
      const list = (v: unknown) => (Array.isArray(v) ? v.map(str).join(', ') : '');
      const unreachable = list(data.unreachable)
        ? `; no contact method for ${list(data.unreachable)} (their Tocsin inbox only)`
        : '';
      const already = list(data.already_paged) ? `; ${list(data.already_paged)} already paged` : '';
      return `paged ${who || 'nobody'} (${str(data.source)}, step ${str(data.step)}, round ${str(data.round)})${none}${unreachable}${already}`;
    }
    case 'message.unrouted':
      return `${str(data.what)} to ${str(data.recipient)} reached nobody: it names no one Tocsin can message${data.text ? ` ("${str(data.text)}")` : ''}`;
    case 'paging.ended':
      return `paging ${str(data.status)} (${str(data.source)})`;
    case 'task.added':
      return `${str(data.kind) === 'action_item' ? 'action item' : 'task'}: ${str(data.title)}`;
    case 'task.due_soon':
      return `${str(data.kind) === 'action_item' ? 'action item' : 'task'} due soon: ${str(data.title)} (reminded ${str(data.reminded)})`;
    case 'task.overdue': {
      const to = Array.isArray(data.escalated_to) ? data.escalated_to.map(String).join(', ') : '';
      return `${str(data.kind) === 'action_item' ? 'action item' : 'task'} overdue: ${str(data.title)}${to ? ` (escalated to ${to})` : ''}`;
    }
    case 'status_page.component_requested':
      return `status page: ${str(data.component)} → ${str(data.status)}`;
    default:
      // A kind this file does not know yet: its fields as words, never a JSON blob.
      return Object.entries(data)
        .filter(([, v]) => v !== null && v !== undefined && v !== '')
        .map(([k, v]) => `${k.replace(/_/g, ' ')} ${typeof v === 'object' ? JSON.stringify(v) : str(v)}`)
        .join(', ');
  }
}
