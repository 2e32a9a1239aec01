import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerCommands } from './commands.ts';

// Day one (issue 9, item 9): the README promises every command has --help with examples; these
// were the ones a new team reached first and found without.

function helpOf(...args: string[]): string {
  let out = '';
  const program = new Command('tocsin')
    .exitOverride()
    .enablePositionalOptions()
    .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  registerCommands(program);
  expect(() => program.parse(['node', 'tocsin', ...args, '--help'])).toThrow('(outputHelp)');
  return out;
}

describe('help', () => {
  it.each<string[]>([
    ['incident', 'declare'],
    ['incident', 'ack'],
    ['service', 'create'],
    ['alert', 'ack'],
    ['oncall'],
    ['user', 'create'],
    ['team', 'create'],
    ['inbox'],
    ['plan', 'check'],
  ])('tocsin %s --help has examples', (...args) => {
    const help = helpOf(...args);
    expect(help).toMatch(/Examples?:\n {2}npx tocsin /);
  });
});
