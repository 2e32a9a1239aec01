// Delivery providers: one per outbox channel (webhook now; chat, email, sms … with issue 5). The outbox
// engine module (src/engine/outbox.ts) hands each due message to the provider of its channel; rows of
// channels without one stay pending until a provider for them exists.

/** One outbox row as a provider sees it. */
export interface OutboundMessage {
  /** The outbox row id: stable across retries, so receivers can drop duplicates. */
  id: string;
  channel: string;
  destination: string;
  template: string | null;
  payload: unknown;
  createdAt: Date;
  /** 1 for the first try. */
  attempt: number;
  /** The engine clock's time of this try. */
  now: Date;
}

export interface SendResult {
  /** The provider's id for the delivered message (stored on the row). */
  providerId: string;
}

/**
 * Why a send failed. Retryable: try again later (5xx, timeouts, network); permanent: the message can
 * never go through as it is (4xx, a refused target) and becomes a dead letter at once.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export interface Provider {
  channel: string;
  /** Delivers the message; throws DeliveryError (anything else counts as retryable). */
  send(message: OutboundMessage): Promise<SendResult>;
}

export type ProviderRegistry = ReadonlyMap<string, Provider>;

export function providerRegistry(providers: Provider[]): ProviderRegistry {
  const registry = new Map<string, Provider>();
  for (const p of providers) {
    if (registry.has(p.channel)) throw new Error(`two providers for channel ${p.channel}`);
    registry.set(p.channel, p);
  }
  return registry;
}
