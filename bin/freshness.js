// Whether a build is current: its stamp is at least as new as every source file it is built from.
// Shared by bin/tocsin.js (run dist/ or fall back to the sources) and scripts/prepare.mjs (skip a
// build that is already current). Node built-ins only: it runs before anything is built.
import { readdirSync, statSync } from 'node:fs';

/** The newest modification time of the files under dir whose names end with one of `endings`. */
export function newestSource(dir, endings) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !endings.some((e) => entry.name.endsWith(e))) continue;
    const mtime = statSync(`${entry.parentPath}/${entry.name}`).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

/** Whether `stamp` exists and is no older than the newest of `sources` (files or directories). */
export function isCurrent(stamp, sources, endings) {
  const built = statSync(stamp, { throwIfNoEntry: false })?.mtimeMs;
  if (built === undefined) return false;
  for (const source of sources) {
    const info = statSync(source, { throwIfNoEntry: false });
    if (!info) continue;
    const newest = info.isDirectory() ? newestSource(source, endings) : info.mtimeMs;
    if (newest > built) return false;
  }
  return true;
}

/** Whether dist/ (npm run build:server) is current with src/ and the build script, under `root`/. */
export function serverBuildIsCurrent(root) {
  return isCurrent(`${root}dist/.built`, [`${root}src`, `${root}scripts/build-server.mjs`], ['.ts', '.sql']);
}
