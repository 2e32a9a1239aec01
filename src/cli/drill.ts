import type { Command } from 'commander';

export function registerDrill(_program: Command): void {}
