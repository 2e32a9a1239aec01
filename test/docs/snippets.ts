// Reading the snippets of a Markdown page, and the little shell they are written in, so a test can run
// them. A snippet is a fenced code block (or a table) right after a marker comment:
//
//   <!-- test: NAME [key=value …] -->
//   ```yaml
//   …
//   ```
//
// Every fenced block of a page must carry a marker: a snippet no test runs is a snippet that drifts.

export interface Snippet {
  /** The marker's name, e.g. `run` or `alertmanager-config`. */
  name: string;
  /** The marker's key=value options, e.g. `file=ci-pipeline.yaml`. */
  options: Record<string, string>;
  /** The fence's info string (`sh`, `yaml`, …), or `table`. */
  lang: string;
  /** The block's text without the fences (a table's rows as written). */
  text: string;
  /** 1-based line of the marker, for messages. */
  line: number;
}

const MARKER = /^<!--\s*test:\s*([a-z0-9-]+)((?:\s+[a-z]+=\S+)*)\s*-->$/;
const FENCE = /^(```+|~~~+)\s*([^`\s]*)/;

/** The page's snippets in order; throws on a fenced block without a marker or a marker without a block. */
export function snippetsOf(markdown: string, page: string): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  let pending: { name: string; options: Record<string, string>; line: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trimEnd();
    const marker = MARKER.exec(line.trim());
    if (marker) {
      if (pending) throw new Error(`${page}:${pending.line}: marker "${pending.name}" has no block after it`);
      pending = { name: marker[1] ?? '', options: optionsOf(marker[2] ?? ''), line: i + 1 };
      continue;
    }
    // Blocks inside list items are indented: the fence's indentation is stripped from its lines.
    const indent = line.length - line.trimStart().length;
    const fence = FENCE.exec(line.trimStart());
    if (fence) {
      if (!pending) throw new Error(`${page}:${i + 1}: a code block without a <!-- test: … --> marker`);
      const close = fence[1] ?? '```';
      const start = i + 1;
      let end = start;
      while (end < lines.length && !(lines[end] ?? '').trim().startsWith(close)) end++;
      if (end >= lines.length) throw new Error(`${page}:${i + 1}: unterminated code block`);
      const text = lines
        .slice(start, end)
        .map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)));
      snippets.push({ ...pending, lang: fence[2] ?? '', text: text.join('\n') });
      pending = undefined;
      i = end;
      continue;
    }
    if (pending && line.startsWith('|')) {
      let end = i;
      while (end < lines.length && (lines[end] ?? '').startsWith('|')) end++;
      snippets.push({ ...pending, lang: 'table', text: lines.slice(i, end).join('\n') });
      pending = undefined;
      i = end - 1;
      continue;
    }
    if (pending && line.trim() !== '') {
      throw new Error(`${page}:${pending.line}: marker "${pending.name}" must be followed by its block`);
    }
  }
  if (pending) throw new Error(`${page}:${pending.line}: marker "${pending.name}" has no block after it`);
  return snippets;
}

function optionsOf(text: string): Record<string, string> {
  const options: Record<string, string> = {};
  for (const pair of text.trim().split(/\s+/).filter(Boolean)) {
    const at = pair.indexOf('=');
    options[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return options;
}

/** The body rows of a Markdown table as trimmed cells, `\|` unescaped (header and --- line skipped). */
export function tableRows(table: string): string[][] {
  return table
    .split('\n')
    .slice(2)
    .map((row) =>
      row
        .replace(/^\|/, '')
        .replace(/(?<!\\)\|$/, '')
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim().replaceAll('\\|', '|')),
    );
}

/**
 * The commands of a POSIX shell snippet as words: single and double quotes, backslash escapes and
 * line continuations, `#` comments. Anything more (pipes, `&&`, `$(…)`, variables) is refused, so a
 * snippet stays something a reader can paste and this test can run.
 */
export function shellCommands(script: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word: string | undefined;
  const endWord = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i] as string;
    if (c === '\\') {
      const next = script[i + 1];
      i++;
      if (next === '\n' || next === undefined) continue;
      word = (word ?? '') + next;
    } else if (c === "'") {
      const end = script.indexOf("'", i + 1);
      if (end < 0) throw new Error('unterminated single quote');
      word = (word ?? '') + script.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let text = '';
      for (i++; i < script.length && script[i] !== '"'; i++) {
        const d = script[i] as string;
        if (d === '$' || d === '`')
          throw new Error(`unsupported shell expansion in "${script.slice(i, i + 20)}"`);
        if (d === '\\' && ['"', '\\', '$', '`'].includes(script[i + 1] ?? '')) {
          i++;
          text += script[i];
        } else text += d;
      }
      if (i >= script.length) throw new Error('unterminated double quote');
      word = (word ?? '') + text;
    } else if (c === '\n') {
      endCommand();
    } else if (c === ' ' || c === '\t') {
      endWord();
    } else if (c === '#' && word === undefined) {
      while (i + 1 < script.length && script[i + 1] !== '\n') i++;
    } else if ('|&;<>$`()'.includes(c)) {
      throw new Error(`unsupported shell syntax "${c}" in a snippet: keep snippets to plain commands`);
    } else {
      word = (word ?? '') + c;
    }
  }
  endCommand();
  return commands;
}

export interface CurlRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
  /** -f: an HTTP error makes curl fail. */
  fail: boolean;
}

const CURL_FLAGS = new Set(['-f', '--fail', '-s', '--silent', '-S', '--show-error', '-i', '--include']);
const CURL_IGNORED_VALUE = new Set(['-m', '--max-time', '--retry', '-o', '--output', '--connect-timeout']);

/** The request a curl command line makes (the options these pages use; others are refused). */
export function curlRequest(words: string[]): CurlRequest {
  if (words[0] !== 'curl') throw new Error(`not a curl command: ${words.join(' ')}`);
  const request: CurlRequest = { method: '', url: '', headers: {}, body: undefined, fail: false };
  for (let i = 1; i < words.length; i++) {
    const w = words[i] as string;
    const value = () => {
      const v = words[++i];
      if (v === undefined) throw new Error(`curl ${w} needs a value`);
      return v;
    };
    if (/^-[a-zA-Z]{2,}$/.test(w) && [...w.slice(1)].every((f) => CURL_FLAGS.has(`-${f}`))) {
      if (w.includes('f')) request.fail = true;
    } else if (CURL_FLAGS.has(w)) {
      if (w === '-f' || w === '--fail') request.fail = true;
    } else if (CURL_IGNORED_VALUE.has(w)) {
      value();
    } else if (w === '-X' || w === '--request') {
      request.method = value();
    } else if (w === '-H' || w === '--header') {
      const header = value();
      const at = header.indexOf(':');
      request.headers[header.slice(0, at).trim().toLowerCase()] = header.slice(at + 1).trim();
    } else if (['-d', '--data', '--data-raw', '--data-binary'].includes(w)) {
      request.body = value();
    } else if (w.startsWith('-')) {
      throw new Error(`curl option ${w} is not understood by the docs test`);
    } else if (request.url) {
      throw new Error(`curl with two URLs: ${request.url} and ${w}`);
    } else {
      request.url = w;
    }
  }
  if (!request.url) throw new Error(`curl without a URL: ${words.join(' ')}`);
  request.method ||= request.body === undefined ? 'GET' : 'POST';
  return request;
}
