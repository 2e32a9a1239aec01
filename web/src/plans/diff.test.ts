import { describe, expect, it } from 'vitest';
import { diffLines, lineOf } from './diff';

describe('diffLines', () => {
  it('keeps common lines and marks removed and added ones', () => {
    expect(diffLines('a\nb\nc', 'a\nx\nc\nd')).toEqual([
      { op: ' ', text: 'a' },
      { op: '-', text: 'b' },
      { op: '+', text: 'x' },
      { op: ' ', text: 'c' },
      { op: '+', text: 'd' },
    ]);
  });
});

describe('lineOf', () => {
  it('reads the line and column of a validator error path', () => {
    expect(lineOf('minimal.yaml:8:5')).toEqual({ line: 8, col: 5 });
    expect(lineOf('severities.0')).toBeNull();
  });
});
