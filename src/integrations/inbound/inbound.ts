import type { InboundAlertEvent } from '../../domain/alerts/alerts.ts';
import type { Integration } from '../../domain/services/services.ts';
import type { SignedRequest, Verdict } from './signatures.ts';

// One module per inbound format: it turns the sender's body into normalised events, or says
// precisely what is wrong with it. Nothing here touches the store.
export type ParseResult = { ok: true; events: InboundAlertEvent[] } | { ok: false; errors: string[] };

export interface InboundFormat {
  /** The integration type whose URL (/api/v1/integrations/<type>/:key) this format serves. */
  type: string;
  parse(body: unknown, integration: Pick<Integration, 'config' | 'name'>): ParseResult;
  /**
   * Whether the request carries the signature (or shared secret) the integration's config asks
   * for; a config without one lets every request through. Runs before parse: a sender that cannot
   * prove who it is learns nothing about its payload.
   */
  verify?(request: SignedRequest, config: unknown): Verdict;
}

/** "payload.summary" style paths for error messages. */
export function pathOf(path: readonly PropertyKey[]): string {
  return path.map(String).join('.') || '(body)';
}
