#!/usr/bin/env -S node --max-semi-space-size=16
// Entry for the `tocsin` command. It runs the compiled JavaScript in dist/ (`npm run build:server`,
// which `npm ci` runs through `prepare`), so starting never compiles TypeScript. In a source checkout
// whose src/ was edited after the last build, dist/ would be stale: then the sources run through tsx
// instead (a development fallback; tsx is needed for tests and scripts anyway).
// --max-semi-space-size=16 (MB; here, in `npm start` and in scripts/lib/tocsin-process.ts): V8 sizes
// the young generation from the machine's memory — 2 × 64 MB semi-spaces on this 24 GB machine, ~90 MB
// of RSS that ingest load touches once and keeps. 16 MB halves of it cost no measurable CPU per alert
// (README "Performance", RSS budget). A V8 flag: it can only be given on the command line.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isCurrent } from './freshness.js';

// `npm start` and `npx tocsin` run it on the Node 24 that `npm ci` installs (the `node` devDependency),
// whatever Node runs npm itself (20.19+); run directly, it needs Node 22.12 or newer.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `tocsin needs Node.js 22.12 or newer (this is ${process.version}). Run it through npm — ` +
      '`npx tocsin …` or `npm start` use the Node 24 that `npm ci` installed — or install Node 24.\n',
  );
  process.exit(1);
}
const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = `${root}dist/main.js`;

function compiledIsCurrent() {
  if (!existsSync(compiled)) return false;
  // An installed package has no src/ next to dist/ to compare with: dist/ is what it ships.
  if (!existsSync(`${root}src`)) return true;
  return isCurrent(`${root}dist/.built`, [`${root}src`], ['.ts', '.sql']);
}

if (compiledIsCurrent()) {
  await import(compiled);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
