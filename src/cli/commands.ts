import type { Command } from 'commander';
import { registerMigrate } from './migrate.ts';
import { registerServe } from './serve.ts';
import { registerToken } from './token.ts';

// Every command group, registered in one place.
export function registerCommands(program: Command): void {
  registerServe(program);
  registerMigrate(program);
  registerToken(program);
}
