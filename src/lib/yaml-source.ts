import { type Document, isMap, isNode, isPair, LineCounter, parseAllDocuments, type YAMLError } from 'yaml';

// YAML with positions: every error Tocsin reports about a file points at file:line:col.
export interface SourceError {
  file: string;
  line: number;
  col: number;
  message: string;
}

export function formatSourceError(e: SourceError): string {
  return `${e.file}:${e.line}:${e.col}: ${e.message}`;
}

export interface SourceDocument {
  file: string;
  /** Index of the document in a multi-document file (0-based). */
  index: number;
  value: unknown;
  /** Position of the node at a path (or of its nearest existing parent). */
  locate(path: readonly PropertyKey[]): { line: number; col: number };
  /** Whether `key` is written in a { … } mapping with no ":" after it (a value cut at a comma). */
  bareFlowKey(path: readonly PropertyKey[], key: string): boolean;
  /** Position of a mapping key, for "unknown key" errors. */
  locateKey(path: readonly PropertyKey[], key: string): { line: number; col: number };
  /**
   * Position of `needle` (e.g. a "{placeholder}") as written inside the scalar at a path, in any
   * scalar style; the scalar's own position when it is not found verbatim.
   */
  locateText(path: readonly PropertyKey[], needle: string): { line: number; col: number };
}

export interface ParsedSource {
  documents: SourceDocument[];
  errors: SourceError[];
  /**
   * Where each document of the text ends (offsets, indexed like SourceDocument.index, empty
   * documents included), so a caller can cut a document's own text without parsing it again.
   */
  ends: number[];
}

function positionOf(doc: Document, counter: LineCounter, path: readonly PropertyKey[]) {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) {
      const pos = counter.linePos(node.range[0]);
      return { line: pos.line, col: pos.col };
    }
  }
  return { line: 1, col: 1 };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/** The usual cause of YAML errors inside { … } and [ … ]: an unquoted value holding ":" or "{". */
function flowHint(e: YAMLError): string | undefined {
  if (e.code === 'BLOCK_IN_FLOW') {
    return 'a ":" inside a { … } or [ … ] value starts a new mapping: quote this value, e.g. message: "Time: 10:00"';
  }
  if (e.code === 'UNEXPECTED_TOKEN' && /flow-map-start|flow-seq-start/.test(e.message)) {
    return 'a "{" or "[" inside a { … } or [ … ] value: quote this value, e.g. message: "{title} is down"';
  }
  return undefined;
}

/** The hint for an unknown key that is really the tail of a value cut at an unquoted ",". */
export const COMMA_HINT =
  'a "," ends a value inside { … }: if this was part of the value before it, quote that value';

/** Parses one file of one or more YAML documents, keeping positions for later errors. */
export function parseYamlSource(text: string, file: string): ParsedSource {
  const counter = new LineCounter();
  const errors: SourceError[] = [];
  const documents: SourceDocument[] = [];
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  } catch (error) {
    // Whatever the parser throws is about the input: report it like any other syntax error.
    return { documents, errors: [{ file, line: 1, col: 1, message: firstLine(error) }], ends: [] };
  }
  const list = Array.isArray(docs) ? docs : [];
  const ends = list.map((doc) => doc.range?.[2] ?? text.length);
  list.forEach((doc, index) => {
    const hinted = new Set<number>();
    for (const e of [...doc.errors, ...doc.warnings]) {
      const pos = counter.linePos(e.pos[0]);
      // After a hint, the rest of its line is noise: each token after a stray "{" is an error too.
      if (hinted.has(pos.line)) continue;
      const hint = flowHint(e);
      if (hint) hinted.add(pos.line);
      const message = e.message.split('\n')[0] ?? e.message;
      errors.push({ file, line: pos.line, col: pos.col, message: hint ? `${hint} (${message})` : message });
    }
    if (doc.errors.length > 0) return;
    if (doc.contents === null) return; // an empty document between separators
    let value: unknown;
    try {
      // Throws on an alias bomb (too many aliases expanded), an unresolved alias, a bad tagged value.
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      const at = doc.contents.range ? counter.linePos(doc.contents.range[0]) : { line: 1, col: 1 };
      errors.push({ file, line: at.line, col: at.col, message: firstLine(error) });
      return;
    }
    documents.push({
      file,
      index,
      value,
      locate: (path) => positionOf(doc, counter, path),
      locateText(path, needle) {
        const node = doc.getIn(path as unknown[], true);
        if (isNode(node) && node.range) {
          const at = text.slice(node.range[0], node.range[1]).indexOf(needle);
          if (at >= 0) {
            const pos = counter.linePos(node.range[0] + at);
            return { line: pos.line, col: pos.col };
          }
        }
        return positionOf(doc, counter, path);
      },
      bareFlowKey(path, key) {
        const parent = doc.getIn(path as unknown[], true);
        if (!isMap(parent) || !parent.flow) return false;
        const pair = parent.items.find(
          (p) => isPair(p) && isNode(p.key) && (p.key as { value?: unknown }).value === key,
        );
        return pair !== undefined && pair.value === null;
      },
      locateKey(path, key) {
        const parent = doc.getIn(path as unknown[], true) as { items?: { key: unknown }[] } | undefined;
        const pair = parent?.items?.find(
          (p) => isNode(p.key) && (p.key as { value?: unknown }).value === key,
        );
        if (pair && isNode(pair.key) && pair.key.range) {
          const pos = counter.linePos(pair.key.range[0]);
          return { line: pos.line, col: pos.col };
        }
        return positionOf(doc, counter, path);
      },
    });
  });
  return { documents, errors, ends };
}

interface IssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
}

/** Turns zod issues on a parsed document into file:line:col errors (unknown keys point at the key). */
export function issuesToSourceErrors(
  doc: SourceDocument,
  issues: readonly IssueLike[],
  prefix: PropertyKey[] = [],
): SourceError[] {
  const out: SourceError[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    const where = path.map(String).join('.') || '(document)';
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      for (const key of issue.keys) {
        const pos = doc.locateKey(path, key);
        const hint = doc.bareFlowKey(path, key) ? `; ${COMMA_HINT}` : '';
        out.push({
          file: doc.file,
          ...pos,
          message: `${[...path.map(String), key].join('.')}: unknown key "${key}"${hint}`,
        });
      }
      continue;
    }
    out.push({ file: doc.file, ...doc.locate(path), message: `${where}: ${issue.message}` });
  }
  return out.sort((a, b) => a.line - b.line || a.col - b.col);
}
