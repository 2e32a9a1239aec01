import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { redactIntegrationConfig } from './integration-config.ts';
import * as services from './queries.ts';

/** A service with its integrations; keys and signing secrets only for those who may manage it. */
export async function getService({ ctx, input }: Operation<{ name: string }>) {
  ctx.require('read');
  const service = await services.findService(ctx.db, input.name);
  if (!service) throw new NotFound('service', input.name);
  const integrations = await services.listIntegrations(ctx.db, service.id);
  const showKeys = ctx.can('service:write');
  return {
    service,
    integrations: integrations.map((i) =>
      showKeys
        ? i
        : {
            ...i,
            key: `${i.key.slice(0, 4)}…`,
            config: redactIntegrationConfig(i.config) as typeof i.config,
          },
    ),
  };
}
