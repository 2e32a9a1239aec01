import { loadEnv } from '../../config/env.ts';
import type { App, AppDeps } from '../../http/server.ts';
import { SmtpReceiver, type SmtpReceiverOptions } from './smtp-receiver.ts';

/** TOCSIN_SMTP_PORT / TOCSIN_SMTP_HOST; undefined when no port is set (no receiver). */
export function smtpOptionsFromEnv(): SmtpReceiverOptions | undefined {
  const env = loadEnv();
  return env.TOCSIN_SMTP_PORT === undefined
    ? undefined
    : { port: env.TOCSIN_SMTP_PORT, host: env.TOCSIN_SMTP_HOST };
}

/**
 * Runs the SMTP receiver alongside the HTTP server, when configured: it is another inbound endpoint,
 * so it lives as long as the API does (`tocsin serve` with role all or api) and stops before the
 * store closes.
 */
export function attachSmtpReceiver(
  app: App,
  deps: AppDeps,
  options: SmtpReceiverOptions | undefined = smtpOptionsFromEnv(),
): void {
  if (!options) return;
  const receiver = new SmtpReceiver({ db: deps.db, clock: deps.clock, log: deps.log }, options);
  app.addHook('onReady', async () => {
    const port = await receiver.listen();
    deps.log.info({ port, host: options.host }, 'SMTP receiver for email integrations listening');
  });
  app.addHook('onClose', () => receiver.close());
}
