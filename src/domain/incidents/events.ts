// Kinds of timeline events. Operations append them (incidents/queries.ts appendEvent); the workflow
// engine consumes them in order and maps them to workflow triggers (EVENT_TRIGGERS).
export const EVENT_KINDS = {
  declared: 'incident.declared',
  acknowledged: 'incident.acknowledged',
  triaged: 'incident.triaged',
  severityChanged: 'incident.severity_changed',
  typeChanged: 'incident.type_changed',
  urgencyRaised: 'incident.urgency_raised',
  stateChanged: 'incident.state_changed',
  roleAssigned: 'incident.role_assigned',
  resolved: 'incident.resolved',
  responderAdded: 'incident.responder_added',
  alertAttached: 'incident.alert_attached',
  fieldChanged: 'incident.field_changed',
  linked: 'incident.linked',
  unlinked: 'incident.unlinked',
  mergedInto: 'incident.merged_into',
  mergedIn: 'incident.merged_in',
  updatePublished: 'update.published',
  updateSubmitted: 'update.pending_approval',
  updateApproved: 'update.approved',
  updateChangesRequested: 'update.changes_requested',
  updateEdited: 'update.edited',
  updateGuardOverridden: 'update.guard_overridden',
  updateOverdue: 'update.overdue',
  targetBreached: 'target.breached',
  note: 'note',
  hypothesisAdded: 'hypothesis.added',
  hypothesisChanged: 'hypothesis.changed',
  checklistItemDone: 'checklist.item_done',
  checklistItemAdded: 'checklist.item_added',
  mitigationUpdated: 'mitigation.updated',
  taskAdded: 'task.added',
  taskDueSoon: 'task.due_soon',
  taskOverdue: 'task.overdue',
  workflowFired: 'workflow.fired',
  notificationQueued: 'notification.queued',
  pagingStarted: 'paging.started',
  pageSent: 'paging.step',
  pagingEnded: 'paging.ended',
  messageUnrouted: 'message.unrouted',
  statusPageComponentRequested: 'status_page.component_requested',
  verificationStarted: 'verification.started',
  verificationPassed: 'verification.passed',
  verificationFailed: 'verification.failed',
  runbookAttached: 'runbook.attached',
  approvalRequested: 'approval.requested',
  approvalApproved: 'approval.approved',
  approvalRejected: 'approval.rejected',
  approvalGranted: 'approval.granted',
} as const;

export type EventKind = (typeof EVENT_KINDS)[keyof typeof EVENT_KINDS];

/**
 * Kinds nothing in the engine reacts to: no workflow triggers on them (workflows/workflow-schema.ts
 * EVENT_TRIGGERS), the incident channel and the announcements do not post them, and no timer counts
 * from them (workflows/queries.ts timerMoments). On an open incident such an event is written already
 * processed (processed_at = its time), so the workflow-events pass neither claims it nor is woken for
 * it (migration 0790): a note costs no engine pass and no second commit. A resolved incident's events
 * stay for the pass, which settles its late targets from any of them (fireTimersFor).
 */
export const UNHEARD_KINDS: ReadonlySet<EventKind> = new Set<EventKind>([EVENT_KINDS.note]);
