import type { Command } from 'commander';

export function registerIncident(_program: Command): void {}
