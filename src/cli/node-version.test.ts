import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Day one (issue 9, item 11): the supported set-up is npm on the machine's Node (20.19+) running
// Tocsin on the Node 24 that `npm ci` installs. `npx tocsin` there prints no EBADENGINE warnings, and
// bin/tocsin.js run directly on an older Node says what it needs instead of failing on syntax.

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
/** The machine's own Node and npm (Debian's), not the devDependency's. */
const SYSTEM_NODE = '/usr/bin/node';
const SYSTEM_NPX = '/usr/bin/npx';
const hasSystemNode = existsSync(SYSTEM_NODE) && existsSync(SYSTEM_NPX);

describe('Node versions', () => {
  it.skipIf(!hasSystemNode)(
    'npx tocsin on the system Node runs quietly on the installed Node 24',
    async () => {
      const path = (process.env.PATH ?? '')
        .split(':')
        .filter((p) => !p.includes('node_modules'))
        .join(':');
      const { stdout, stderr } = await run(SYSTEM_NPX, ['tocsin', '--version'], {
        cwd: root,
        env: { ...process.env, PATH: path },
        timeout: 110_000,
      });
      expect(stderr).not.toContain('EBADENGINE');
      expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    },
  );

  it.skipIf(!hasSystemNode)('bin/tocsin.js on an older Node says which Node it needs', async () => {
    const { stdout } = await run(SYSTEM_NODE, ['--version']);
    if (Number(stdout.replace('v', '').split('.')[0]) >= 22) return; // the system Node is new enough
    const failed = await run(SYSTEM_NODE, [join(root, 'bin/tocsin.js'), '--version']).catch((e) => e);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('tocsin needs Node.js 22.12 or newer');
  });
});
