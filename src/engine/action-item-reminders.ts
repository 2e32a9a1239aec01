import { remindOverdueActionItems } from '../domain/action-items/remind-overdue.ts';
import type { EngineModule } from './engine.ts';

/** Reminds the owner of each action item that passed its due date unfinished, once per due date. */
export function actionItemRemindersModule(): EngineModule {
  return {
    // 150: issue 15's range of module ids (150–159), apart from the other streams' modules.
    id: 150,
    name: 'action-item-reminders',
    tick: ({ tx, now }) => remindOverdueActionItems({ tx, now }),
  };
}
