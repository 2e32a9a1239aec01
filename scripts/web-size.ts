import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

// The console's first load: the JavaScript and CSS web/dist/index.html pulls in before any page
// chunk (those load on first visit), gzipped, against the 300 KB budget of issue 12.

const DIST = join(import.meta.dirname, '..', 'web', 'dist');
const BUDGET_KB = 300;

export function initialAssets(html: string): string[] {
  const refs = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="(\/assets\/[^"]+\.(?:js|css))"/g)];
  return [...new Set(refs.map((m) => m[1] as string))];
}

const html = readFileSync(join(DIST, 'index.html'), 'utf8');
let total = 0;
for (const asset of initialAssets(html)) {
  const gz = gzipSync(readFileSync(join(DIST, asset))).length;
  total += gz;
  process.stdout.write(`${asset}\t${(gz / 1024).toFixed(1)} KB gzip\n`);
}
const kb = total / 1024;
process.stdout.write(`initial JS+CSS\t${kb.toFixed(1)} KB gzip (budget ${BUDGET_KB} KB)\n`);
if (kb > BUDGET_KB) process.exitCode = 1;
