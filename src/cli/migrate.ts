import type { Command } from 'commander';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending database migrations and exit')
    .action(async () => {
      const [{ loadEnv }, { openStore }] = await Promise.all([
        import('../config/env.ts'),
        import('../db/store.ts'),
      ]);
      const env = loadEnv();
      const store = await openStore({ databaseUrl: env.DATABASE_URL, dataDir: env.TOCSIN_DATA_DIR });
      await store.close();
      process.stdout.write('migrations applied\n');
    });
}
