import { parseYamlSource, type SourceError } from '../../lib/yaml-source.ts';
import { API_VERSION, type ConfigDocument, errorAt, type KindHandler, NAME_PATH } from './config.ts';
import { kindHandler, knownKinds } from './registry.ts';

export interface ConfigSource {
  /** Shown in errors and results, e.g. the path the CLI read. */
  file: string;
  content: string;
}

/** A document that passed validation, with its handler and validated value. */
export interface ValidDocument extends ConfigDocument {
  handler: KindHandler<unknown>;
  value: unknown;
  name: string;
  /** The kind's warnings about the document (a plan's stored-only fields), file:line:col. */
  warnings: SourceError[];
}

/**
 * Each document's own text: from the end of the previous document (so comments above a `---` stay
 * with the document they introduce) to the end of this one. Indexed like parseYamlSource's documents;
 * cut at the ends the one parse found (parsing thousands of documents a second time cost as much as
 * the first parse).
 */
function documentTexts(content: string, ends: readonly number[]): string[] {
  let start = 0;
  return ends.map((end) => {
    const text = content.slice(start, end);
    start = end;
    return text;
  });
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses one source into documents, checking apiVersion and kind and validating each with its kind. */
function parseSource(source: ConfigSource): { documents: ValidDocument[]; errors: SourceError[] } {
  const parsed = parseYamlSource(source.content, source.file);
  if (parsed.errors.length > 0) return { documents: [], errors: parsed.errors };
  const texts = documentTexts(source.content, parsed.ends);
  const documents: ValidDocument[] = [];
  const errors: SourceError[] = [];
  for (const doc of parsed.documents) {
    const value = doc.value;
    if (!isMapping(value)) {
      errors.push(errorAt(doc, [], 'a document must be a mapping with apiVersion, kind, metadata'));
      continue;
    }
    const problems: SourceError[] = [];
    if (value.apiVersion !== API_VERSION) {
      problems.push(
        errorAt(
          doc,
          ['apiVersion'],
          value.apiVersion === undefined
            ? `apiVersion: required (${API_VERSION})`
            : `apiVersion: unknown apiVersion ${JSON.stringify(value.apiVersion)} (expected ${API_VERSION})`,
        ),
      );
    }
    const handler = typeof value.kind === 'string' ? kindHandler(value.kind) : undefined;
    if (!handler) {
      const known = knownKinds().join(', ');
      problems.push(
        errorAt(
          doc,
          ['kind'],
          value.kind === undefined
            ? `kind: required (one of ${known})`
            : `kind: unknown kind ${JSON.stringify(value.kind)} (known: ${known})`,
        ),
      );
    }
    if (problems.length > 0 || !handler) {
      errors.push(...problems);
      continue;
    }
    const valid = handler.validate(doc);
    if (valid.errors) {
      errors.push(...valid.errors);
      continue;
    }
    documents.push({
      file: source.file,
      kind: handler.kind,
      text: texts[doc.index] ?? source.content,
      source: doc,
      handler,
      value: valid.value,
      name: handler.name(valid.value),
      warnings: valid.warnings ?? [],
    });
  }
  return { documents, errors };
}

/** The same (kind, name) twice: an error at each place, naming the other. */
function duplicateErrors(documents: ValidDocument[]): SourceError[] {
  const groups = new Map<string, ValidDocument[]>();
  for (const d of documents) {
    const key = `${d.kind}\u0000${d.name}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  const errors: SourceError[] = [];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const where = group.map((d) => {
      const pos = d.source.locate(NAME_PATH);
      return { d, pos, label: `${d.file}:${pos.line}:${pos.col}` };
    });
    for (const w of where) {
      const others = where.filter((o) => o !== w).map((o) => o.label);
      errors.push({
        file: w.d.file,
        ...w.pos,
        message: `duplicate ${w.d.kind} "${w.d.name}" (also defined at ${others.join(', ')})`,
      });
    }
  }
  return errors;
}

type Parsed = { documents: ValidDocument[]; errors: SourceError[] };

// `tocsin apply` checks the documents before it opens the store and applyDocuments checks them
// again inside: the same sources (the same array, unchanged) are parsed once. Parsing thousands of
// YAML documents with positions takes seconds.
const parsedSources = new WeakMap<readonly ConfigSource[], { contents: string[]; parsed: Parsed }>();

/** Parses and validates every document of every source; all errors are collected, none is thrown. */
export function parseConfigSources(
  sources: readonly ConfigSource[],
  /** Called after each source is parsed (not when the parse is remembered): progress for large applies. */
  onSource?: (done: number, total: number) => void,
): Parsed {
  const contents = sources.map((s) => s.content);
  const cached = parsedSources.get(sources);
  if (
    cached &&
    cached.contents.length === contents.length &&
    cached.contents.every((c, i) => c === contents[i])
  ) {
    return cached.parsed;
  }
  const parsed = parseAll(sources, onSource);
  parsedSources.set(sources, { contents, parsed });
  return parsed;
}

function parseAll(
  sources: readonly ConfigSource[],
  onSource?: (done: number, total: number) => void,
): Parsed {
  const documents: ValidDocument[] = [];
  const errors: SourceError[] = [];
  for (const [i, source] of sources.entries()) {
    const one = parseSource(source);
    documents.push(...one.documents);
    errors.push(...one.errors);
    onSource?.(i + 1, sources.length);
  }
  errors.push(...duplicateErrors(documents));
  const order = new Map(sources.map((s, i) => [s.file, i]));
  errors.sort(
    (a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || a.line - b.line || a.col - b.col,
  );
  return { documents, errors };
}
