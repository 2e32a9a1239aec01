import type { Command } from 'commander';
import { loadEnv } from '../config/env.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending database migrations and exit')
    .action(async () => {
      const env = loadEnv();
      const { openStore } = await import('../db/store.ts');
      const store = await openStore({ databaseUrl: env.DATABASE_URL, dataDir: env.TOCSIN_DATA_DIR });
      await store.close();
      process.stdout.write('migrations applied\n');
    });
}
