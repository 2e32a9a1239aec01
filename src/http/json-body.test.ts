import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds, loneSurrogateAt, parseJsonBody } from './json-body.ts';

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

describe('lone surrogates', () => {
  const parse = (text: string) => parseJsonBody(Buffer.from(text), JSON.parse);

  it('are refused with the path of the string that holds one; a pair (an emoji) is a character', () => {
    expect(parse('{"title":"fire \\ud83d\\udd25"}')).toEqual({ title: 'fire \u{1f525}' });
    expect(() => parse('{"labels":{"team":["ok","bad \\ud800"]}}')).toThrow(
      /lone surrogate escape at body\.labels\.team\.1/,
    );
    expect(() => parse('{"a":"\\udc00 low first"}')).toThrow(/at body\.a/);
    expect(() => parse('{"\\ud800":1}')).toThrow(/at body,/);
    // An escaped backslash before "ud800" is just text.
    expect(parse('{"a":"\\\\ud800"}')).toEqual({ a: '\\ud800' });
  });

  it('are found in any value exactly when a string or key does not survive UTF-8', () => {
    // The oracle: a string with a lone surrogate changes on a round trip through UTF-8 (U+FFFD).
    const survives = (text: string) => Buffer.from(text, 'utf8').toString('utf8') === text;
    const wellFormed = (v: unknown): boolean =>
      typeof v === 'string'
        ? survives(v)
        : typeof v === 'object' && v !== null
          ? Object.entries(v).every(([k, x]) => survives(k) && wellFormed(x))
          : true;
    // Any code point, or a surrogate alone (two in a row may make a pair, as in a real body).
    const unit = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
    );
    let lone = 0;
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: unit }), (value) => {
        if (!wellFormed(value)) lone++;
        expect(loneSurrogateAt(value) === undefined).toBe(wellFormed(value));
      }),
      { numRuns: 500 },
    );
    expect(lone).toBeGreaterThan(0);
    expect(loneSurrogateAt(['\ud800'])).toBe('body.0');
  });
});
