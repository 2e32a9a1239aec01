// npm's `prepare` (run by `npm ci`, and by npx when it installs this checkout as a package): builds
// the server (dist/) and the console (web/dist/) unless they are already current. An unconditional
// rebuild there would delete and rewrite dist/ under any Tocsin process or test running from it —
// `npx tocsin` from the checkout triggers it — so a build that is current is left alone.
// `npm run build` always rebuilds.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isCurrent, serverBuildIsCurrent } from '../bin/freshness.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (path) => `${root}${path}`;
const run = (script) => execFileSync('npm', ['run', '-s', script], { cwd: root, stdio: 'inherit' });

const serverCurrent = serverBuildIsCurrent(root);
// The console imports the API's zod schemas from src/ and bundles its packages.
const webCurrent = isCurrent(
  at('web/dist/index.html'),
  [at('web/src'), at('web/index.html'), at('web/vite.config.ts'), at('src'), at('package-lock.json')],
  ['.ts', '.tsx', '.css', '.html', '.json'],
);
if (serverCurrent) process.stderr.write('prepare: dist/ is current, not rebuilt\n');
else run('build:server');
if (webCurrent) process.stderr.write('prepare: web/dist/ is current, not rebuilt\n');
else run('build:web');
