import type { Operation } from '../context.ts';
import { saveIntegration } from './save-integration.ts';
import type { Integration, IntegrationInput } from './services.ts';

/**
 * Adds an inbound integration to a service, with a given or generated 32-character key; its config
 * is checked for its type (a heartbeat needs an interval). A name the service already has is a
 * Conflict (config as code updates through saveIntegration's upsert instead).
 */
export async function createIntegration({ ctx, input }: Operation<IntegrationInput>): Promise<Integration> {
  const { item } = await saveIntegration({ ctx, input: { integration: input, mode: 'create' } });
  return item;
}
