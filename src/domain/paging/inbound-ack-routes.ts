import { ZodError } from 'zod';
import { loadEnv } from '../../config/env.ts';
import { AppError } from '../../errors.ts';
import {
  parseSlackInteraction,
  parseSlashCommand,
  verifySlackSignature,
} from '../../notify/inbound/slack.ts';
import {
  parseTwilioGather,
  parseTwilioSms,
  TWILIO_SMS_PATH,
  TWILIO_VOICE_PATH,
  twimlReply,
  twimlSay,
  verifyTwilioSignature,
} from '../../notify/inbound/twilio.ts';
import { slackEscape } from '../../notify/providers/slack.ts';
import { runSlashCommand } from '../chat/run-slash-command.ts';
import { findUserByContact } from '../contacts/find-user-by-contact.ts';
import type { App, RouteDeps } from '../http-app.ts';
import { acknowledgeByCode, acknowledgeIncidentAs, type PageAck } from './acknowledge-page.ts';

// Acknowledgements that arrive from providers: Slack's button (interactivity request URL), an SMS
// reply and a phone keypress (Twilio webhooks). Each request is verified by its provider's signature
// before anything is read from it, and the person is found by their verified contact method.

type Form = Record<string, string>;

function parseForm(raw: string): Form {
  return Object.fromEntries(new URLSearchParams(raw));
}

export function registerInboundAckRoutes(app: App, deps: Pick<RouteDeps, 'publicUrl'>): void {
  const env = loadEnv();
  app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 65_536 },
      (_req, body, done) => done(null, body),
    );

    scope.post(
      '/api/v1/slack/interactivity',
      { schema: { hide: true }, config: { public: true } },
      async (request, reply) => {
        const raw = slackVerified(request);
        if (raw === undefined) return reply.status(401).send({ error: 'invalid Slack signature' });
        const interaction = parseSlackInteraction(raw);
        if (interaction.actionId !== 'tocsin_ack') return reply.status(200).send({ text: 'Nothing to do.' });
        const userId = await findUserByContact(request.ctx.db, 'slack', interaction.slackUserId);
        if (!userId) {
          return reply.send({
            response_type: 'ephemeral',
            replace_original: false,
            text: 'Your Slack account is not a verified contact of any Tocsin user, so Tocsin cannot tell who acknowledges.',
          });
        }
        const ack = await attempt(() => acknowledgeIncidentAs(request.ctx, userId, interaction.value));
        return reply.send({ response_type: 'in_channel', replace_original: false, text: ackText(ack) });
      },
    );

    // `/tocsin …` slash commands (the app's slash command Request URL), verified like interactivity.
    scope.post(
      '/api/v1/slack/commands',
      { schema: { hide: true }, config: { public: true } },
      async (request, reply) => {
        const raw = slackVerified(request);
        if (raw === undefined) return reply.status(401).send({ error: 'invalid Slack signature' });
        const command = parseSlashCommand(raw);
        const userId = await findUserByContact(request.ctx.db, 'slack', command.slackUserId);
        if (!userId) {
          return reply.send({
            response_type: 'ephemeral',
            text: 'Your Slack account is not a verified contact of any Tocsin user, so Tocsin cannot tell who you are.',
          });
        }
        const answer = await runSlashCommand(
          { db: request.ctx.db, clock: request.ctx.clock, publicUrl: deps.publicUrl },
          userId,
          command.text,
        );
        // Titles and texts are people's words: escaped, so `<…>` cannot become a link or a mention.
        return reply.send({ response_type: answer.visibility, text: slackEscape(answer.text) });
      },
    );

    const twilioUrl = (path: string, rawUrl: string) =>
      `${deps.publicUrl}${path}${rawUrl.slice(rawUrl.indexOf(path) + path.length)}`;
    const twilioVerified = (
      request: { body: unknown; url: string; headers: Record<string, unknown> },
      path: string,
    ): Form | undefined => {
      const form = parseForm(typeof request.body === 'string' ? request.body : '');
      const token = env.TOCSIN_TWILIO_AUTH_TOKEN ?? '';
      const ok = verifyTwilioSignature(
        token,
        twilioUrl(path, request.url),
        form,
        header(request.headers['x-twilio-signature']) ?? '',
      );
      return ok ? form : undefined;
    };

    scope.post(
      TWILIO_SMS_PATH,
      { schema: { hide: true }, config: { public: true } },
      async (request, reply) => {
        const form = twilioVerified(request, TWILIO_SMS_PATH);
        if (!form) return reply.status(403).type('text/plain').send('invalid Twilio signature');
        const sms = parseTwilioSms(form);
        const userId = await findUserByContact(request.ctx.db, 'sms', sms.from);
        const code = /\d{4,6}/.exec(sms.body)?.[0];
        let text: string;
        if (!userId) text = 'This number is not a verified Tocsin contact.';
        else if (!code) text = 'Reply with the code of the page to acknowledge it.';
        else text = ackText(await attempt(() => acknowledgeByCode(request.ctx, userId, code)));
        return reply.type('text/xml').send(twimlReply(text));
      },
    );

    scope.post(
      TWILIO_VOICE_PATH,
      { schema: { hide: true }, config: { public: true } },
      async (request, reply) => {
        const form = twilioVerified(request, TWILIO_VOICE_PATH);
        if (!form) return reply.status(403).type('text/plain').send('invalid Twilio signature');
        const gather = parseTwilioGather(form);
        const userId = await findUserByContact(request.ctx.db, 'voice', gather.to);
        const text = userId
          ? ackText(await attempt(() => acknowledgeByCode(request.ctx, userId, gather.digits)))
          : 'This number is not a verified Tocsin contact.';
        return reply.type('text/xml').send(twimlSay(text));
      },
    );
  });
}

/** The raw body of a request Slack signed with the signing secret, now; undefined when it is not. */
function slackVerified(request: {
  body: unknown;
  headers: Record<string, unknown>;
  ctx: { clock: { now(): Date } };
}): string | undefined {
  const raw = typeof request.body === 'string' ? request.body : '';
  const ok = verifySlackSignature(
    loadEnv().TOCSIN_SLACK_SIGNING_SECRET ?? '',
    header(request.headers['x-slack-request-timestamp']),
    header(request.headers['x-slack-signature']),
    raw,
    request.ctx.clock.now(),
  );
  return ok ? raw : undefined;
}

function header(value: unknown): string | undefined {
  return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
}

/** The outcome, or the reason it failed (unknown code, not allowed), as text for the person. */
async function attempt(fn: () => Promise<PageAck>): Promise<PageAck | string> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof AppError || error instanceof ZodError) return error.message;
    throw error;
  }
}

function ackText(ack: PageAck | string): string {
  if (typeof ack === 'string') return `Not acknowledged: ${ack}`;
  const what = ack.incidentId ? `Incident ${ack.incidentId}` : 'The page';
  return ack.changed
    ? `${what} acknowledged by ${ack.user}. Paging stopped.`
    : `${what} was already acknowledged.`;
}
