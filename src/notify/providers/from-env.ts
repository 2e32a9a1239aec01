import { loadEnv } from '../../config/env.ts';
import { type OutboundPolicy, outboundPolicyFromEnv } from '../../lib/outbound-guard.ts';
import { chatProviderFromEnv } from './chat-webhook.ts';
import { emailProviderFromEnv } from './email.ts';
import { ntfyProviderFromEnv } from './ntfy.ts';
import { type Provider, type ProviderRegistry, providerRegistry } from './provider.ts';
import { slackProviderFromEnv } from './slack.ts';
import { slackChannelProviderFromEnv } from './slack-channel.ts';
import { trackerProviderFromEnv } from './tracker.ts';
import { twilioProvidersFromEnv } from './twilio.ts';
import { webhookProvider } from './webhook.ts';

// The providers this process delivers with, built from the environment. Each provider whose settings
// are absent is left out, so its channel's messages wait in the outbox (visible in the API) until it
// is configured. One line per provider.

export function providersFromEnv(policy: OutboundPolicy = outboundPolicyFromEnv()): ProviderRegistry {
  const env = loadEnv();
  const providers: (Provider | undefined)[] = [
    webhookProvider({ secret: env.TOCSIN_WEBHOOK_SECRET, policy }),
    emailProviderFromEnv(env),
    ntfyProviderFromEnv(env),
    ...twilioProvidersFromEnv(env),
    slackProviderFromEnv(env),
    slackChannelProviderFromEnv(env),
    chatProviderFromEnv(env, policy),
    trackerProviderFromEnv(env, policy),
  ];
  return providerRegistry(providers.filter((p): p is Provider => p !== undefined));
}

/** The channels a person's page can go to (contact kinds) and the chat posts a plan asks for. */
export const PAGE_DELIVERY_CHANNELS = ['email', 'sms', 'voice', 'push', 'slack', 'chat'] as const;

/** Channels no provider serves here: their messages wait in the outbox, and pages reach the inbox only. */
export function channelsOff(registry: ProviderRegistry): string[] {
  return PAGE_DELIVERY_CHANNELS.filter((c) => !registry.has(c));
}

let configured: readonly string[] | undefined;

/**
 * The channels this process's environment gives a provider (read once); undefined when the provider
 * settings are incomplete (the engine refuses to start then, and callers count every channel).
 */
export function configuredChannels(): readonly string[] | undefined {
  try {
    configured ??= [...providersFromEnv().keys()];
  } catch {
    return undefined;
  }
  return configured;
}
