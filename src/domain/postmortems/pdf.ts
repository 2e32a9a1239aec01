import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
import { type PostmortemRow, postmortemHeader } from './postmortem.ts';

// The post-mortem as a PDF (export), written with pdfkit: no browser, nothing fetched. The text is
// set in Noto Sans Ethiopic, the font the console ships (@fontsource/noto-sans-ethiopic): its files
// are split by script (latin, latin-ext, ethiopic), so each run of text goes in the file whose
// unicode ranges cover it — an Amharic timeline entry renders in Ethiopic, the rest in Latin. pdfkit
// embeds only the glyphs used, with a ToUnicode map, so the text can be searched and copied.

type Weight = 400 | 700;
const SUBSETS = ['latin', 'latin-ext', 'ethiopic'] as const;
type Subset = (typeof SUBSETS)[number];

const PACKAGE = '@fontsource/noto-sans-ethiopic';

function packageFile(name: string): string {
  return fileURLToPath(import.meta.resolve(`${PACKAGE}/${name}`));
}

/** The code point ranges of each subset file, as the font package states them (unicode.json). */
function subsetRanges(): Map<Subset, [number, number][]> {
  const table = JSON.parse(readFileSync(packageFile('unicode.json'), 'utf8')) as Record<string, string>;
  const out = new Map<Subset, [number, number][]>();
  for (const subset of SUBSETS) {
    const ranges = (table[subset] ?? '').split(',').map((part): [number, number] => {
      const [from, to] = part.trim().replace(/^U\+/i, '').split('-');
      const start = Number.parseInt(from ?? '', 16);
      return [start, to ? Number.parseInt(to, 16) : start];
    });
    out.set(subset, ranges);
  }
  return out;
}

let fonts: { ranges: Map<Subset, [number, number][]>; files: Map<string, Buffer> } | undefined;

/** Read once per process: six small WOFF files (regular and bold of each subset). */
function loadFonts() {
  if (fonts) return fonts;
  const files = new Map<string, Buffer>();
  for (const subset of SUBSETS) {
    for (const weight of [400, 700] as const) {
      files.set(
        fontName(subset, weight),
        readFileSync(packageFile(`files/noto-sans-ethiopic-${subset}-${weight}-normal.woff`)),
      );
    }
  }
  fonts = { ranges: subsetRanges(), files };
  return fonts;
}

function fontName(subset: Subset, weight: Weight): string {
  return `noto-${subset}-${weight}`;
}

/** The subset whose file has a glyph for this character; spaces and unknowns stay with the run. */
function subsetOf(ranges: Map<Subset, [number, number][]>, ch: string): Subset | undefined {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp === 0x20) return undefined;
  for (const [subset, list] of ranges) {
    if (list.some(([a, b]) => cp >= a && cp <= b)) return subset;
  }
  return undefined;
}

/** Text cut into runs that one subset file can set. */
export function scriptRuns(text: string): { subset: Subset; text: string }[] {
  const { ranges } = loadFonts();
  const runs: { subset: Subset; text: string }[] = [];
  for (const ch of text) {
    const subset = subsetOf(ranges, ch) ?? runs.at(-1)?.subset ?? 'latin';
    const last = runs.at(-1);
    if (last && last.subset === subset) last.text += ch;
    else runs.push({ subset, text: ch });
  }
  return runs;
}

// --- a small Markdown reader: what the drafts and editors write ----------------------------------

interface Span {
  text: string;
  bold: boolean;
}

/** Inline Markdown: **bold** kept as bold, `code` and _emphasis_ marks dropped, \| unescaped. */
export function inlineSpans(line: string): Span[] {
  const spans: Span[] = [];
  const parts = line.split(/(\*\*[^*]+\*\*)/g);
  for (const part of parts) {
    if (part === '') continue;
    const bold = part.startsWith('**') && part.endsWith('**') && part.length > 4;
    const text = (bold ? part.slice(2, -2) : part)
      .replace(/`([^`]*)`/g, '$1')
      .replace(/(^|\W)_([^_]+)_(?=\W|$)/g, '$1$2')
      .replace(/\\([|*_`\\])/g, '$1');
    spans.push({ text, bold });
  }
  return spans;
}

type Block =
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'item'; marker: string; text: string }
  | { kind: 'table'; rows: string[][] };

/** Splits a table row on unescaped pipes. */
function tableCells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

export function markdownBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) blocks.push({ kind: 'paragraph', text: paragraph.join(' ') });
    paragraph = [];
  };
  for (const raw of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trimEnd();
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (line.trim() === '') {
      flush();
    } else if (heading) {
      flush();
      blocks.push({ kind: 'heading', level: heading[1]?.length ?? 1, text: heading[2] ?? '' });
    } else if (line.trimStart().startsWith('|')) {
      flush();
      if (/^\s*\|?[\s:|-]+\|?\s*$/.test(line)) continue; // the |---|---| separator row
      const last = blocks.at(-1);
      if (last?.kind === 'table') last.rows.push(tableCells(line));
      else blocks.push({ kind: 'table', rows: [tableCells(line)] });
    } else if (item) {
      flush();
      const marker = item[1] ?? '-';
      blocks.push({ kind: 'item', marker: /^\d/.test(marker) ? marker : '•', text: item[2] ?? '' });
    } else {
      paragraph.push(line.trim());
    }
  }
  flush();
  return blocks;
}

// --- layout ----------------------------------------------------------------------------------------

type Doc = InstanceType<typeof PDFDocument>;

/** Writes spans at the cursor (or at x/y with a width), switching font per script run. */
function writeSpans(
  doc: Doc,
  spans: Span[],
  size: number,
  at?: { x: number; y: number; width: number },
  bold = false,
) {
  const runs = spans.flatMap((s) =>
    scriptRuns(s.text).map((r) => ({ ...r, weight: (s.bold || bold ? 700 : 400) as Weight })),
  );
  if (runs.length === 0) runs.push({ subset: 'latin', text: ' ', weight: 400 });
  doc.fontSize(size);
  runs.forEach((run, i) => {
    const continued = i < runs.length - 1;
    doc.font(fontName(run.subset, run.weight));
    if (i === 0 && at) doc.text(run.text, at.x, at.y, { width: at.width, continued });
    else doc.text(run.text, { continued });
  });
}

function writeTable(doc: Doc, rows: string[][]) {
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const columns = Math.max(...rows.map((r) => r.length));
  const cellWidth = width / columns;
  rows.forEach((row, index) => {
    // Start a row on a new page when it would not fit (a row is one or two lines).
    if (doc.y + 30 > doc.page.height - doc.page.margins.bottom) doc.addPage();
    const top = doc.y;
    let bottom = top;
    row.forEach((cell, c) => {
      writeSpans(
        doc,
        inlineSpans(cell),
        9,
        { x: left + c * cellWidth, y: top, width: cellWidth - 6 },
        index === 0,
      );
      bottom = Math.max(bottom, doc.y);
    });
    doc.x = left;
    doc.y = bottom + 3;
  });
  doc.moveDown(0.5);
}

export interface PdfOptions {
  /** The document's creation date (the PDF's metadata): the caller's clock, so output is repeatable. */
  createdAt: Date;
}

/** The post-mortem as a PDF document: the title, status line, then every section in order. */
export async function postmortemPdf(
  pm: Pick<PostmortemRow, 'title' | 'status' | 'due_at' | 'sections'>,
  options: PdfOptions,
): Promise<Buffer> {
  const { files } = loadFonts();
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: { Title: pm.title, Creator: 'Tocsin', CreationDate: options.createdAt, ModDate: options.createdAt },
    lang: 'en',
  });
  for (const [name, data] of files) doc.registerFont(name, data);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });

  writeSpans(doc, [{ text: pm.title, bold: true }], 20);
  doc.moveDown(0.3);
  writeSpans(doc, [{ text: postmortemHeader(pm).join(' · '), bold: false }], 10);
  doc.moveDown(1);
  for (const section of pm.sections) {
    writeSpans(doc, [{ text: section.title, bold: true }], 15);
    doc.moveDown(0.4);
    const blocks = markdownBlocks(section.body.trim() || '_To be written._');
    for (const block of blocks) {
      if (block.kind === 'heading') {
        writeSpans(doc, [{ text: block.text, bold: true }], block.level <= 2 ? 13 : 11);
        doc.moveDown(0.3);
      } else if (block.kind === 'paragraph') {
        writeSpans(doc, inlineSpans(block.text), 10);
        doc.moveDown(0.5);
      } else if (block.kind === 'item') {
        const left = doc.page.margins.left;
        const width = doc.page.width - left - doc.page.margins.right;
        writeSpans(doc, [{ text: `${block.marker} `, bold: false }, ...inlineSpans(block.text)], 10, {
          x: left + 12,
          y: doc.y,
          width: width - 12,
        });
        doc.x = left;
        doc.moveDown(0.2);
      } else {
        writeTable(doc, block.rows);
      }
    }
    doc.moveDown(0.8);
  }
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}
