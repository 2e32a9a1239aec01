import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds } from './json-body.ts';

/** How deep a parsed value nests (a scalar: 0). */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depthOf(child));
  return deepest + 1;
}

describe('jsonDepthExceeds', () => {
  it('tells whether a JSON text nests deeper than the limit', () => {
    fc.assert(
      fc.property(fc.json({ depthSize: 'medium' }), fc.integer({ min: 0, max: 12 }), (text, limit) => {
        expect(jsonDepthExceeds(text, limit)).toBe(depthOf(JSON.parse(text)) > limit);
      }),
      { numRuns: 2000 },
    );
  });

  it('counts no bracket inside a string, however many there are', () => {
    // More brackets than the limit in all, so the exact scan decides: strings and escapes skipped.
    const text = JSON.stringify({ a: '{[{[{[{[', b: ['x\\"[', { c: '"]}' }], d: '\\' });
    // An object holding an array holding an object: 3 levels.
    expect(jsonDepthExceeds(text, 3)).toBe(false);
    expect(jsonDepthExceeds(text, 2)).toBe(true);
    expect(jsonDepthExceeds(`${'['.repeat(65)}${']'.repeat(65)}`, 64)).toBe(true);
    expect(jsonDepthExceeds(`${'[],'.repeat(200)}`, 64)).toBe(false);
  });
});
