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

export interface InitialSize {
  assets: { path: string; gzipKb: number }[];
  totalKb: number;
  budgetKb: number;
}

/** The gzipped size of what index.html loads before any page chunk. */
export function initialSize(dist = DIST): InitialSize {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const assets = initialAssets(html).map((path) => ({
    path,
    gzipKb: gzipSync(readFileSync(join(dist, path))).length / 1024,
  }));
  return { assets, totalKb: assets.reduce((sum, a) => sum + a.gzipKb, 0), budgetKb: BUDGET_KB };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const size = initialSize();
  for (const a of size.assets) process.stdout.write(`${a.path}\t${a.gzipKb.toFixed(1)} KB gzip\n`);
  process.stdout.write(`initial JS+CSS\t${size.totalKb.toFixed(1)} KB gzip (budget ${BUDGET_KB} KB)\n`);
  if (size.totalKb > BUDGET_KB) process.exitCode = 1;
}
