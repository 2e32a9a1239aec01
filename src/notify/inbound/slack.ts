import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { Invalid } from '../../errors.ts';

// Slack interactivity: a click on the Acknowledge button (action_id tocsin_ack, see
// src/notify/providers/slack.ts) arrives as a form POST whose `payload` field holds the interaction
// JSON. Pure functions here; the HTTP route verifies the signature on the raw body first, then parses.
//
// Signature (https://docs.slack.dev/authentication/verifying-requests-from-slack):
// X-Slack-Signature = "v0=" + hex HMAC-SHA256(signing secret, "v0:" + X-Slack-Request-Timestamp + ":" +
// raw body); requests whose timestamp is more than five minutes off are replays and refused.

/** How far a request's timestamp may be from now, either way. */
export const SLACK_MAX_SKEW_MS = 5 * 60 * 1000;

/** The X-Slack-Signature value for a body: "v0=<hex>". */
export function slackSignature(signingSecret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/** Whether a request comes from Slack, now: a fresh timestamp and a matching signature. */
export function verifySlackSignature(
  signingSecret: string,
  timestampHeader: string | undefined,
  signatureHeader: string | undefined,
  rawBody: string,
  now: Date,
): boolean {
  if (!signingSecret || !timestampHeader || !signatureHeader) return false;
  if (!/^\d{1,12}$/.test(timestampHeader)) return false;
  if (Math.abs(now.getTime() - Number(timestampHeader) * 1000) > SLACK_MAX_SKEW_MS) return false;
  const expected = Buffer.from(slackSignature(signingSecret, timestampHeader, rawBody));
  const given = Buffer.from(signatureHeader);
  // timingSafeEqual needs equal lengths; the length of a signature is no secret.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface SlackInteraction {
  /** The button's action_id (tocsin_ack for Acknowledge). */
  actionId: string;
  /** The button's value (the incident id for tocsin_ack). */
  value: string;
  /** Who clicked: the Slack user id, to be matched to a Tocsin user's Slack contact method. */
  slackUserId: string;
  /** Where to post the outcome (valid for 30 minutes, 5 uses). */
  responseUrl: string;
}

// Only the fields Tocsin uses; Slack sends many more, and adds fields over time.
const blockActionsSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().min(1) }),
  response_url: z.url({ protocol: /^https?$/ }),
  actions: z
    .array(z.object({ action_id: z.string().min(1), value: z.string().min(1) }))
    .min(1, 'no action in the interaction'),
});

/** The first action of a block_actions interaction, from the form body Slack POSTs. Throws Invalid. */
export function parseSlackInteraction(formBody: string): SlackInteraction {
  const payload = new URLSearchParams(formBody).get('payload');
  if (payload === null) {
    throw new Invalid('not a Slack interaction', [{ path: 'payload', message: 'form field missing' }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    throw new Invalid('not a Slack interaction', [{ path: 'payload', message: 'not JSON' }]);
  }
  const parsed = blockActionsSchema.safeParse(json);
  if (!parsed.success) {
    throw new Invalid(
      'not a Slack block_actions interaction',
      parsed.error.issues.map((i) => ({ path: ['payload', ...i.path].join('.'), message: i.message })),
    );
  }
  const { user, response_url, actions } = parsed.data;
  const [action] = actions as [{ action_id: string; value: string }];
  return { actionId: action.action_id, value: action.value, slackUserId: user.id, responseUrl: response_url };
}

export interface SlackSlashCommand {
  /** The command as typed, e.g. /tocsin. */
  command: string;
  /** Everything after the command. */
  text: string;
  slackUserId: string;
  channelId: string;
}

// A slash command arrives as a form POST (https://docs.slack.dev/interactivity/implementing-slash-commands);
// only the fields Tocsin uses.
const slashCommandSchema = z.object({
  command: z.string().min(1).max(100),
  text: z.string().max(4000).default(''),
  user_id: z.string().min(1).max(50),
  channel_id: z.string().max(50).default(''),
});

/** The slash command in the form body Slack POSTs. Throws Invalid naming the missing fields. */
export function parseSlashCommand(formBody: string): SlackSlashCommand {
  const parsed = slashCommandSchema.safeParse(Object.fromEntries(new URLSearchParams(formBody)));
  if (!parsed.success) {
    throw new Invalid(
      'not a Slack slash command',
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  const { command, text, user_id, channel_id } = parsed.data;
  return { command, text: text.trim(), slackUserId: user_id, channelId: channel_id };
}
