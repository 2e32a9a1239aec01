import { loadEnv, publicUrlOf } from '../../config/env.ts';
import type { Row } from '../../db/schema.ts';
import { inTx } from '../../db/tx.ts';
import { Invalid, NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import * as policies from '../escalation-policies/queries.ts';
import { readVisibleIncident } from '../incidents/change.ts';
import type { PageInput } from './page-input.ts';
import * as q from './queries.ts';
import { startPaging } from './start-paging.ts';
import { singleStep } from './steps.ts';

// `tocsin page <who>`: page a person, a schedule's on-call, a team or an escalation policy now, for an
// incident or on its own (then the page is acknowledged by its link or code, and escalates like any).

export { type PageInput, pageInputSchema } from './page-input.ts';

export async function pageManually({ ctx, input }: Operation<PageInput>): Promise<Row<'escalations'>> {
  ctx.require('incident:update');
  const now = ctx.clock.now();
  const publicUrl = publicUrlOf(loadEnv());
  return inTx(ctx.db, async (tx) => {
    const source = `manual:${(await q.countEscalationsWithSourcePrefix(tx, input.incident ?? null, 'manual:')) + 1}`;
    const message = `${input.message} (paged by ${ctx.actor.name})`;
    const [kind, name = ''] = splitTarget(input.target);
    let steps = singleStep(input.target);
    let repeat = 0;
    if (kind === 'policy') {
      const policy = await policies.findPolicy(tx, name);
      if (!policy)
        throw new Invalid('unknown escalation policy', [{ path: 'target', message: `no policy "${name}"` }]);
      steps = policy.steps;
      repeat = policy.repeat;
    }
    // A person asked for this page: it goes as asked, whatever the severity's response hours say.
    // Paging about a confidential incident needs the right to see it (else 404, as for a missing one).
    const context = input.incident
      ? await readVisibleIncident(ctx, input.incident, tx)
      : { incident: null, plan: null };
    if (context.incident?.resolved_at) {
      throw new Invalid('the incident is resolved', [{ path: 'incident', message: 'resolved' }]);
    }
    const esc = await startPaging(tx, {
      incident: context.incident,
      plan: context.plan,
      kind: 'paging',
      source,
      policy: input.target,
      steps,
      repeat,
      channels: [],
      message,
      now,
      publicUrl,
    });
    if (!esc) throw new Error('a new manual page source was taken');
    const after = await q.findEscalation(tx, esc.id);
    if (!after) throw new NotFound('page', esc.id);
    return after;
  });
}

function splitTarget(target: string): [string, string | undefined] {
  const i = target.indexOf(':');
  return [target.slice(0, i), target.slice(i + 1)];
}
