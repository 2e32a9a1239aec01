// Kinds of timeline events. Operations append them (incidents/queries.ts appendEvent); the workflow
// engine consumes them in order and maps them to workflow triggers (EVENT_TRIGGERS).
export const EVENT_KINDS = {
  declared: 'incident.declared',
  acknowledged: 'incident.acknowledged',
  triaged: 'incident.triaged',
  severityChanged: 'incident.severity_changed',
  stateChanged: 'incident.state_changed',
  roleAssigned: 'incident.role_assigned',
  resolved: 'incident.resolved',
  responderAdded: 'incident.responder_added',
  alertAttached: 'incident.alert_attached',
  fieldChanged: 'incident.field_changed',
  updatePublished: 'update.published',
  updateOverdue: 'update.overdue',
  targetBreached: 'target.breached',
  note: 'note',
  hypothesisAdded: 'hypothesis.added',
  hypothesisChanged: 'hypothesis.changed',
  checklistItemDone: 'checklist.item_done',
  checklistItemAdded: 'checklist.item_added',
  mitigationUpdated: 'mitigation.updated',
  taskAdded: 'task.added',
  workflowFired: 'workflow.fired',
  notificationQueued: 'notification.queued',
  pagingStarted: 'paging.started',
  pageSent: 'paging.step',
  pagingEnded: 'paging.ended',
  statusPageComponentRequested: 'status_page.component_requested',
} as const;

export type EventKind = (typeof EVENT_KINDS)[keyof typeof EVENT_KINDS];
