import { linkTrackerIssues } from '../domain/action-items/link-tracker-issues.ts';
import { remindDueItems } from '../domain/action-items/remind-due.ts';
import { remindOverdueActionItems } from '../domain/action-items/remind-overdue.ts';
import type { EngineModule } from './engine.ts';

/**
 * Reminds the owner of each task and action item before it is due and once it passed its due date
 * unfinished, and pages the plan's tasks.escalateTo once it is overdue: each once per due date.
 * And links each action item pushed to GitHub or Jira to the issue the push created.
 */
export function actionItemRemindersModule(): EngineModule {
  return {
    // 150: issue 15's range of module ids (150–159), apart from the other streams' modules.
    id: 150,
    name: 'action-item-reminders',
    tick: async ({ tx, now }) =>
      (await remindOverdueActionItems({ tx, now })) +
      (await remindDueItems({ tx, now })) +
      (await linkTrackerIssues({ tx, now })),
  };
}
