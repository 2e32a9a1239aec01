import { Command, Help } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerCommands } from './commands.ts';
import { COMMAND_GROUPS, commandOf, registerCommandsFor } from './lazy-commands.ts';

// The lazy table (lazy-commands.ts) must say what registering everything says: the same commands,
// in the same order, with the same help lines; and each group must register exactly its commands.

const helpLines = (program: Command) => {
  const help = new Help();
  return program.commands.map((c) => ({
    name: c.name(),
    term: help.subcommandTerm(c),
    description: c.description(),
  }));
};

describe('lazy command groups', () => {
  it('list every command registerCommands registers, in its order, with its help line', () => {
    const all = new Command('tocsin');
    registerCommands(all);
    expect(COMMAND_GROUPS.flatMap((g) => g.commands)).toEqual(helpLines(all));
  });

  it('each group registers exactly the commands it lists', async () => {
    for (const group of COMMAND_GROUPS) {
      const program = new Command('tocsin');
      for (const register of await group.load()) register(program);
      expect(helpLines(program)).toEqual(group.commands);
    }
  });

  it('tocsin --help prints the same command list without loading any group', async () => {
    const print = async (build: (p: Command) => Promise<void> | void) => {
      let out = '';
      const program = new Command('tocsin')
        .exitOverride()
        .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
      await build(program);
      expect(() => program.parse(['node', 'tocsin', '--help'])).toThrow('(outputHelp)');
      return out;
    };
    const lazy = await print((p) => registerCommandsFor(p, ['node', 'tocsin', '--help']));
    expect(lazy).toBe(await print((p) => registerCommands(p)));
    expect(lazy).toContain('incident');
  });

  it('finds the command of a line: the first operand, or what `help` asks about', () => {
    expect(commandOf(['node', 'tocsin', '--help'])).toBeUndefined();
    expect(commandOf(['node', 'tocsin', 'incident', 'list', '--json'])).toBe('incident');
    expect(commandOf(['node', 'tocsin', 'help', 'team'])).toBe('team');
    expect(commandOf(['node', 'tocsin', '-V'])).toBeUndefined();
  });

  it('an unknown command loads every group, so commander names it with suggestions', async () => {
    let out = '';
    const program = new Command('tocsin')
      .exitOverride()
      .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
    await registerCommandsFor(program, ['node', 'tocsin', 'incidnet']);
    expect(() => program.parse(['node', 'tocsin', 'incidnet'])).toThrow();
    expect(out).toContain('incident');
  });
});
