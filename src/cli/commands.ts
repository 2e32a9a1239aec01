import type { Command } from 'commander';
import { registerActionItem } from './action-item.ts';
import { registerApply } from './apply.ts';
import { registerContact } from './contact.ts';
import { registerDetection } from './detection.ts';
import { registerDrill } from './drill.ts';
import { registerExercise } from './exercise.ts';
import { registerInbox } from './inbox.ts';
import { registerIncident } from './incident.ts';
import { registerMaintenance } from './maintenance.ts';
import { registerMigrate } from './migrate.ts';
import { registerPage } from './page.ts';
import { registerPlan } from './plan.ts';
import { registerPostmortem } from './postmortem.ts';
import { registerReport } from './report.ts';
import { registerSchedule } from './schedule.ts';
import { registerServe } from './serve.ts';
import { registerService } from './service.ts';
import { registerStatusPage } from './status-page.ts';
import { registerToken } from './token.ts';
import { registerUpdate } from './update.ts';
import { registerUser } from './user.ts';
import { registerUserPassword } from './user-password.ts';

// Every command group, registered in one place.
export function registerCommands(program: Command): void {
  registerServe(program);
  registerMigrate(program);
  registerApply(program);
  registerPlan(program);
  registerIncident(program);
  registerPostmortem(program);
  registerActionItem(program);
  registerReport(program);
  registerExercise(program);
  registerService(program);
  registerDetection(program);
  registerMaintenance(program);
  registerContact(program);
  registerSchedule(program);
  registerPage(program);
  registerInbox(program);
  registerStatusPage(program);
  registerUpdate(program);
  registerToken(program);
  registerUser(program);
  registerDrill(program);
  // Last: it joins the `user` group if another file made one.
  registerUserPassword(program);
}
