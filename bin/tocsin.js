#!/usr/bin/env node
// Entry for the `tocsin` command: loads the TypeScript sources through tsx so no build step is needed.
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
const { register } = await import('tsx/esm/api');
register();
await import('../src/main.ts');
