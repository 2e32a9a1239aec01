// Types for freshness.js (plain JavaScript: it runs before anything is built), for the TypeScript
// that imports it (the test setup).
export function newestSource(dir: string, endings: string[]): number;
export function isCurrent(stamp: string, sources: string[], endings: string[]): boolean;
export function serverBuildIsCurrent(root: string): boolean;
