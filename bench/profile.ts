import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { dirname } from 'node:path';

// An in-process V8 CPU profile of one part of a benchmark (node --cpu-prof profiles the whole
// process, setup included). The .cpuprofile file opens in Chrome DevTools or speedscope; stop()
// also prints the functions with the most self time, and the share of time under a few entry
// points, so a run on a shared machine can be compared with another without a viewer.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface Profiler {
  stop(file: string): Promise<CpuProfile>;
}

export async function startProfile(): Promise<Profiler> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
      session.disconnect();
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
      console.log(`CPU profile: ${file}`);
      printSummary(profile);
      return profile;
    },
  };
}

const shortUrl = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/.*\/node_modules\//, '')
    .replace(/.*\/(src|bench)\//, '$1/');

/**
 * Busy time (idle left out) by function (self) and by file (inclusive: each sample counted once per
 * file on its stack), weighted by the time each sample stands for: on a loaded machine the sampling
 * intervals vary too much to count samples.
 */
export function printSummary(profile: CpuProfile, top = 25): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  samples.forEach((id, i) => {
    const node = byId.get(id);
    // A sample's delta is the time since the previous one: it stands for the next sample's interval.
    const us = deltas[i + 1] ?? 0;
    if (!node || node.callFrame.functionName === '(idle)') return;
    busy += us;
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + us);
    const files = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const url = byId.get(at)?.callFrame.url;
      if (url) files.add(shortUrl(url));
    }
    for (const file of files) inclusive.set(file, (inclusive.get(file) ?? 0) + us);
  });
  const pct = (n: number) => `${((100 * n) / Math.max(1, busy)).toFixed(1).padStart(5)}%`;
  const wall = (profile.endTime - profile.startTime) / 1000;
  console.log(`  busy ${(busy / 1000).toFixed(0)} ms of ${wall.toFixed(0)} ms; self time, top ${top}:`);
  for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${pct(v)}  ${k}`);
  console.log(`  inclusive time by file, top ${top}:`);
  for (const [k, v] of [...inclusive.entries()].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${pct(v)}  ${k}`);
}
