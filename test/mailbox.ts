import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

// A real SMTP server on loopback that keeps every mail it receives, parsed: what tests read the
// email provider's output from.

export interface Mailbox {
  port: number;
  mails: ParsedMail[];
  close(): Promise<void>;
}

export async function startMailbox(): Promise<Mailbox> {
  const mails: ParsedMail[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          mails.push(mail);
          callback(null, 'Ok');
        },
        (error: Error) => callback(error),
      );
    },
  });
  const port = await new Promise<number>((resolve) => {
    const net = smtp.listen(0, '127.0.0.1', () => resolve((net.address() as AddressInfo).port));
  });
  return { port, mails, close: () => new Promise<void>((resolve) => smtp.close(() => resolve())) };
}
