import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Clock } from '../../db/clock.ts';
import type { Db, Executor } from '../../db/schema.ts';
import { inTx } from '../../db/tx.ts';
import { ingestAlertEvents } from '../../domain/alerts/ingest-alert-events.ts';
import { makeCtx, SYSTEM_ACTOR } from '../../domain/context.ts';
import * as services from '../../domain/services/queries.ts';
import { sameSecret } from '../inbound/signatures.ts';
import { emailConfigSchema, emailToAlertEvent, receivedEmail } from './email-alert.ts';

// The built-in SMTP receiver: mail to <key>@<any domain> for a live `email` integration becomes an
// alert (email-alert.ts). Like every inbound endpoint, a message is accepted (250) only after its
// alert is committed; when the store fails it answers 451 so the sending server retries later, and
// unknown recipients get 550 at RCPT TO, before any message is sent. The key in the address is the
// secret, as it is in inbound URLs; on top of it the receiver can offer STARTTLS (with a certificate)
// and require AUTH PLAIN/LOGIN (with credentials). AUTH is only offered inside TLS, so a password
// never crosses the network in clear; with credentials set, MAIL FROM without AUTH gets 530.

export interface SmtpReceiverOptions {
  port: number;
  host: string;
  /** Largest message accepted, in bytes (advertised with SIZE; bigger ones get 552). */
  maxBytes?: number | undefined;
  /** PEM certificate chain and key: STARTTLS is offered. */
  tls?: { cert: string | Buffer; key: string | Buffer } | undefined;
  /** Senders must authenticate with these (needs tls). */
  auth?: { user: string; password: string } | undefined;
}

const DEFAULT_MAX_BYTES = 10 * 1_048_576;

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

const localPart = (address: string) => address.slice(0, Math.max(0, address.lastIndexOf('@')));

async function emailIntegration(db: Executor, address: string) {
  const integration = await services.integrationByKey(db, localPart(address));
  return integration?.type === 'email' ? integration : undefined;
}

export class SmtpReceiver {
  private readonly server: SMTPServer;

  constructor(
    private readonly deps: { db: Db; clock: Clock; log?: Logger | undefined },
    private readonly options: SmtpReceiverOptions,
  ) {
    const { tls, auth } = options;
    if (auth && !tls) throw new Error('SMTP AUTH needs TLS: give a certificate and key too');
    this.server = new SMTPServer({
      banner: 'Tocsin email-in',
      authOptional: !auth,
      disabledCommands: [...(auth ? [] : ['AUTH']), ...(tls ? [] : ['STARTTLS'])],
      ...(tls ? { key: tls.key, cert: tls.cert } : {}),
      authMethods: ['PLAIN', 'LOGIN'],
      // smtp-server's default, stated: AUTH before STARTTLS is refused (538).
      allowInsecureAuth: false,
      onAuth: (credentials, _session, callback) => {
        // Both halves are always compared: which one was wrong is not revealed, not even by timing.
        const userOk = sameSecret(credentials.username ?? '', auth?.user ?? '');
        const passwordOk = sameSecret(credentials.password ?? '', auth?.password ?? '');
        if (auth && userOk && passwordOk) callback(null, { user: auth.user });
        else callback(smtpError(535, '5.7.8 authentication credentials invalid'));
      },
      size: options.maxBytes ?? DEFAULT_MAX_BYTES,
      logger: false,
      // Senders reconnect; a stop should not wait long for idle sessions.
      closeTimeout: 5_000,
      onRcptTo: (address, _session, callback) => {
        emailIntegration(deps.db, address.address).then(
          (found) => callback(found ? null : smtpError(550, `5.1.1 <${address.address}>: no such mailbox`)),
          (error: unknown) => {
            deps.log?.warn({ err: error }, 'email-in: recipient lookup failed');
            callback(smtpError(451, '4.3.0 temporarily unavailable, try again later'));
          },
        );
      },
      onData: (stream, session, callback) => {
        this.receive(stream, session).then(
          () => callback(null),
          (error: Error) => callback(error),
        );
      },
    });
    this.server.on('error', (error) => deps.log?.error({ err: error }, 'email-in: SMTP server error'));
  }

  /** Parses the message and stores its alert events, one transaction for all its recipients. */
  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const mail = await simpleParser(stream, {
      skipHtmlToText: false,
      skipImageLinks: true,
      skipTextToHtml: true,
    });
    if (stream.sizeExceeded) throw smtpError(552, '5.3.4 message too big');
    const received = receivedEmail(mail);
    try {
      await inTx(this.deps.db, async (tx) => {
        for (const rcpt of session.envelope.rcptTo) {
          // Checked again at write time: the key may have been rotated since RCPT TO.
          const integration = await emailIntegration(tx, rcpt.address);
          if (!integration) continue;
          const config = emailConfigSchema.safeParse(integration.config);
          const event = emailToAlertEvent(
            received,
            config.success ? config.data : emailConfigSchema.parse({}),
          );
          if (!event) continue;
          await ingestAlertEvents({
            ctx: makeCtx({ db: tx, clock: this.deps.clock, log: this.deps.log }, SYSTEM_ACTOR),
            input: { integration, events: [event] },
          });
        }
      });
    } catch (error) {
      this.deps.log?.error({ err: error }, 'email-in: message not stored');
      throw smtpError(451, '4.3.0 temporarily unavailable, try again later');
    }
  }

  /** Starts listening; resolves with the bound port (0 in the options picks a free one). */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once('error', onError);
      const net = this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', onError);
        resolve((net.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
