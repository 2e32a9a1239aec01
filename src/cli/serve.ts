import type { Command } from 'commander';
import { keepProcessAlive } from './lifecycle.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the HTTP API, web UI, status page and engine (embedded PostgreSQL unless DATABASE_URL)')
    .option('--role <role>', 'all | api (HTTP only) | engine (engine only)', 'all')
    .action(async (opts: { role: string }) => {
      if (!['all', 'api', 'engine'].includes(opts.role)) throw new Error(`--role must be all, api or engine`);
      keepProcessAlive();
      // Loaded here, not at the top: other commands (and --help) need none of the server.
      const [{ startTocsin }, { loadEnv }, { createLogger }] = await Promise.all([
        import('../app.ts'),
        import('../config/env.ts'),
        import('../log.ts'),
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
      if (shown) process.stdout.write(`Tocsin is running on ${shown} (API docs: ${shown}/api/docs)\n`);
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'stopping');
        await running.stop().catch((e) => log.error({ err: e }, 'stop failed'));
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
    });
}
