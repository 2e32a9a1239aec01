import type { InboundFormat } from './inbound.ts';

// Every format served at /api/v1/integrations/<type>/:key, registered in one place.
export const FORMATS: InboundFormat[] = [];

export function formatFor(type: string): InboundFormat | undefined {
  return FORMATS.find((f) => f.type === type);
}
