import { readFileSync } from 'node:fs';
import { ConfigError, type Env, loadEnv } from '../../config/env.ts';
import type { App, RouteDeps } from '../../domain/http-app.ts';
import type { SmtpReceiver, SmtpReceiverOptions } from './smtp-receiver.ts';

/** One of a pair of variables set without the other is a mistake worth stopping for. */
function pair<A, B>(a: [string, A | undefined], b: [string, B | undefined]): [A, B] | undefined {
  if (a[1] === undefined && b[1] === undefined) return undefined;
  if (a[1] === undefined || b[1] === undefined) {
    const [set, unset] = a[1] === undefined ? [b[0], a[0]] : [a[0], b[0]];
    throw new ConfigError(`${set} is set but ${unset} is not: give both or neither`);
  }
  return [a[1], b[1]];
}

function readPem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError(`${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`);
  }
}

function tlsFromEnv(env: Env): SmtpReceiverOptions['tls'] {
  const files = pair(
    ['TOCSIN_SMTP_IN_TLS_CERT', env.TOCSIN_SMTP_IN_TLS_CERT],
    ['TOCSIN_SMTP_IN_TLS_KEY', env.TOCSIN_SMTP_IN_TLS_KEY],
  );
  if (!files) return undefined;
  return {
    cert: readPem('TOCSIN_SMTP_IN_TLS_CERT', files[0]),
    key: readPem('TOCSIN_SMTP_IN_TLS_KEY', files[1]),
  };
}

/**
 * TOCSIN_SMTP_PORT / _HOST and the receiver's TLS and AUTH settings; undefined when no port is set
 * (no receiver). A half-given pair, an unreadable file or AUTH without TLS stops the start.
 */
export function smtpOptionsFromEnv(): SmtpReceiverOptions | undefined {
  const env = loadEnv();
  if (env.TOCSIN_SMTP_PORT === undefined) return undefined;
  const tls = tlsFromEnv(env);
  const credentials = pair(
    ['TOCSIN_SMTP_IN_USER', env.TOCSIN_SMTP_IN_USER],
    ['TOCSIN_SMTP_IN_PASSWORD', env.TOCSIN_SMTP_IN_PASSWORD],
  );
  if (credentials && !tls) {
    throw new ConfigError(
      'TOCSIN_SMTP_IN_USER needs TOCSIN_SMTP_IN_TLS_CERT and _KEY: AUTH is only offered over TLS',
    );
  }
  return {
    port: env.TOCSIN_SMTP_PORT,
    host: env.TOCSIN_SMTP_HOST,
    tls,
    auth: credentials ? { user: credentials[0], password: credentials[1] } : undefined,
  };
}

/**
 * Runs the SMTP receiver alongside the HTTP server, when configured: it is another inbound endpoint,
 * so it lives as long as the API does (`tocsin serve` with role all or api) and stops before the
 * store closes.
 */
export function attachSmtpReceiver(
  app: App,
  deps: RouteDeps,
  options: SmtpReceiverOptions | undefined = smtpOptionsFromEnv(),
): void {
  if (!options) return;
  let receiver: SmtpReceiver | undefined;
  app.addHook('onReady', async () => {
    // Loaded only when configured: smtp-server and mailparser take ~200 ms to load (issue 14, start).
    const { SmtpReceiver } = await import('./smtp-receiver.ts');
    receiver = new SmtpReceiver({ db: deps.db, clock: deps.clock, log: deps.log }, options);
    const port = await receiver.listen();
    deps.log.info(
      { port, host: options.host, starttls: Boolean(options.tls), auth: Boolean(options.auth) },
      'SMTP receiver for email integrations listening',
    );
  });
  app.addHook('onClose', async () => receiver?.close());
}
