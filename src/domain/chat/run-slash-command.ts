import { ZodError } from 'zod';
import type { Clock } from '../../db/clock.ts';
import type { Db } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { makeCtx } from '../context.ts';
import { acknowledgeIncident } from '../incidents/acknowledge-incident.ts';
import { addNote } from '../incidents/add-note.ts';
import { readIncident } from '../incidents/change.ts';
import { publicName } from '../incidents/confidential.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { getIncident } from '../incidents/get-incident.ts';
import { publishUpdate } from '../incidents/publish-update.ts';
import { resolveIncident } from '../incidents/resolve-incident.ts';
import { actorOf } from '../paging/acknowledge-page.ts';

// `/tocsin <verb> …` from chat, run as the Tocsin user the sender's verified Slack contact belongs
// to: each verb calls the same operation the API does, so the permission check, the transaction and
// the audit are that operation's. The answer is the text Slack shows (errors too: a slash command
// always answers 200, or Slack shows its own "failed" message).

export const SLASH_HELP = [
  'Usage: /tocsin <command>',
  '  declare <severity> <title>   declare an incident',
  '  ack <id>                     acknowledge it (stops paging)',
  '  status <id>                  severity, state, commander and link',
  '  update <id> <text>           post an internal update',
  '  note <id> <text>             add a note to the timeline',
  '  resolve <id> [resolution]    resolve it',
].join('\n');

export interface SlashAnswer {
  /** in_channel: everyone in the channel sees it; ephemeral: only the sender. */
  visibility: 'in_channel' | 'ephemeral';
  text: string;
}

interface Deps {
  db: Db;
  clock: Clock;
  publicUrl: string;
}

const ephemeral = (text: string): SlashAnswer => ({ visibility: 'ephemeral', text });
const inChannel = (text: string): SlashAnswer => ({ visibility: 'in_channel', text });

export async function runSlashCommand(deps: Deps, userId: string, text: string): Promise<SlashAnswer> {
  const [verb = 'help', first = '', ...rest] = text.split(/\s+/).filter(Boolean);
  const restText = rest.join(' ');
  const ctx = makeCtx({ db: deps.db, clock: deps.clock }, await actorOf(deps.db, userId));
  const link = (id: string) => `${deps.publicUrl}/incidents/${id}`;
  try {
    switch (verb.toLowerCase()) {
      case 'declare': {
        if (!first || !restText) return ephemeral('Usage: /tocsin declare <severity> <title>');
        const incident = await declareIncident({ ctx, input: { severity: first, title: restText } });
        // The channel may hold people who may not see it: a confidential one goes by its code name.
        return inChannel(
          `${ctx.actor.name} declared incident #${incident.id} [${incident.severity}] ${publicName(incident)}: ${link(incident.id)}`,
        );
      }
      case 'ack': {
        const before = (await readIncident(deps.db, first)).incident;
        await acknowledgeIncident({ ctx, input: { incidentId: first } });
        return inChannel(
          before.acknowledged_at
            ? `Incident #${first} was already acknowledged.`
            : `Incident #${first} acknowledged by ${ctx.actor.name}. Paging stopped.`,
        );
      }
      case 'status': {
        const d = await getIncident({ ctx, input: { incidentId: first } });
        const i = d.incident;
        const roles = d.roles.map((r) => `${r.role}: ${r.user}`).join(', ') || 'no roles assigned';
        return ephemeral(
          `#${i.id} [${i.severity}] ${i.title}: ${i.state}${i.acknowledged_at ? ', acknowledged' : ''}; ${roles}. ${link(i.id)}`,
        );
      }
      case 'update': {
        if (!restText) return ephemeral('Usage: /tocsin update <id> <text>');
        const { plan } = await readIncident(deps.db, first);
        const language = plan.languages[0] ?? 'en';
        await publishUpdate({
          ctx,
          input: { incidentId: first, audience: 'internal', bodies: { [language]: restText } },
        });
        return inChannel(`Update on #${first} by ${ctx.actor.name}: ${restText}`);
      }
      case 'note': {
        if (!restText) return ephemeral('Usage: /tocsin note <id> <text>');
        await addNote({ ctx, input: { incidentId: first, text: restText } });
        return ephemeral(`Noted on #${first}.`);
      }
      case 'resolve': {
        await resolveIncident({
          ctx,
          input: { incidentId: first, ...(restText ? { resolution: restText } : {}) },
        });
        return inChannel(`Incident #${first} resolved by ${ctx.actor.name}.`);
      }
      default:
        return ephemeral(SLASH_HELP);
    }
  } catch (error) {
    if (error instanceof AppError) return ephemeral(`Not done: ${error.message}`);
    if (error instanceof ZodError)
      return ephemeral(`Not done: ${error.issues.map((i) => i.message).join('; ')}`);
    throw error;
  }
}
