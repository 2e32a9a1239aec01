import type { Executor } from '../../db/schema.ts';
import { inTx } from '../../db/tx.ts';
import { Conflict, NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import { sameValue } from '../config/config.ts';
import type { Operation } from '../context.ts';
import type { SaveResult } from '../users/save-user.ts';
import { parseIntegrationConfig, redactIntegrationConfig } from './integration-config.ts';
import * as services from './queries.ts';
import {
  type Integration,
  type IntegrationInput,
  integrationInputSchema,
  newIntegrationKey,
} from './services.ts';

/** Keys are unique across every service: a key held by another integration is refused, by name. */
async function refuseTakenKey(tx: Executor, key: string, self?: string) {
  const holder = await services.integrationHoldingKey(tx, key);
  if (holder && holder.id !== self) {
    throw new Conflict('the key is taken', [
      {
        path: 'key',
        message: `already the key of integration ${holder.name} of service ${holder.service_name}`,
      },
    ]);
  }
}

/**
 * Adds an integration to a service, or with mode 'upsert' (config as code) brings an existing one
 * of that name in line: type and config as given; the key only when one is given, so a generated
 * key survives every later apply. A repeat changes nothing and writes no audit row.
 */
export async function saveIntegration({
  ctx,
  input,
}: Operation<{ integration: IntegrationInput; mode: 'create' | 'upsert' }>): Promise<
  SaveResult<Integration>
> {
  ctx.require('service:write');
  const data = integrationInputSchema.parse(input.integration);
  const config = parseIntegrationConfig(data.type, data.config);
  const name = data.name ?? data.type;
  return inTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const service = await services.findService(tx, data.service);
    if (!service) throw new NotFound('service', data.service);
    const before = await services.lockIntegration(tx, service.id, name);
    if (data.key) await refuseTakenKey(tx, data.key, before?.id);
    // The key and signing secrets stay out of the audit log: they are secrets that senders hold.
    const described = {
      service: service.name,
      name,
      type: data.type,
      config: redactIntegrationConfig(config),
    };
    if (!before) {
      const created = await services.insertIntegration(tx, {
        service_id: service.id,
        name,
        type: data.type,
        key: data.key ?? newIntegrationKey(),
        config: JSON.stringify(config),
        created_at: now,
      });
      await audit.record(tx, ctx.actor, now, {
        action: 'integration.created',
        entityType: 'integration',
        entityId: created.id,
        after: described,
      });
      return { item: created, change: 'created' };
    }
    if (input.mode === 'create') {
      throw new Conflict(`service ${service.name} already has an integration named ${name}`);
    }
    const keyChanged = data.key !== undefined && data.key !== before.key;
    if (before.type === data.type && sameValue(before.config, config) && !keyChanged) {
      return { item: before, change: 'unchanged' };
    }
    const after = await services.updateIntegration(tx, before.id, {
      type: data.type,
      config: JSON.stringify(config),
      ...(keyChanged ? { key: data.key, rotated_at: now } : {}),
    });
    await audit.record(tx, ctx.actor, now, {
      action: 'integration.updated',
      entityType: 'integration',
      entityId: after.id,
      before: { type: before.type, config: redactIntegrationConfig(before.config) },
      after: { ...described, key_changed: keyChanged },
    });
    return { item: after, change: 'updated' };
  });
}
