import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

// Preload hints for the page a link opens. A page email links to /incidents/<id>: without hints the
// browser learns of the incident page's chunks and of the API calls it needs only after the entry
// script has arrived and run. With them it fetches both while the entry is still on its way, and the
// console's own fetch() of the same URLs takes the preloaded answers (same URL, method, no extra
// headers, `crossorigin` = same-origin credentials). Data hints go only to a browser holding a
// session cookie: anyone else would earn a 401 for nothing.

/** One chunk in Vite's build manifest (web/dist/.vite/manifest.json, `build.manifest`). */
interface ManifestChunk {
  file: string;
  imports?: string[];
  isEntry?: boolean;
}
type Manifest = Record<string, ManifestChunk>;

const INCIDENT_PAGE = 'src/incidents/incident-page.tsx';
const INCIDENT_PATH = /^\/incidents\/([^/]+)$/;

/** The incident page's chunk and the chunks it imports statically (the entry is already loading). */
export function pageChunks(manifest: Manifest, key: string): string[] {
  const files: string[] = [];
  const seen = new Set<string>();
  const visit = (k: string) => {
    const chunk = manifest[k];
    if (!chunk || seen.has(k) || chunk.isEntry) return;
    seen.add(k);
    files.push(chunk.file);
    for (const next of chunk.imports ?? []) visit(next);
  };
  visit(key);
  return files;
}

const escapeAttribute = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The `<link>` tags for this path, or '' when it opens no page with hints. */
export function hintsFor(pathname: string, manifest: Manifest | undefined, signedIn: boolean): string {
  const match = INCIDENT_PATH.exec(pathname);
  if (!match?.[1]) return '';
  const links = manifest
    ? pageChunks(manifest, INCIDENT_PAGE).map(
        (file) => `<link rel="modulepreload" crossorigin href="/${escapeAttribute(file)}">`,
      )
    : [];
  if (signedIn) {
    let id: string;
    try {
      // Re-encoded exactly as the console builds its request URLs (encodeURIComponent).
      id = encodeURIComponent(decodeURIComponent(match[1]));
    } catch {
      return links.join('');
    }
    for (const url of ['/api/v1/auth/session', `/api/v1/incidents/${id}`, `/api/v1/incidents/${id}/pages`]) {
      links.push(`<link rel="preload" as="fetch" crossorigin href="${escapeAttribute(url)}">`);
    }
  }
  return links.join('');
}

/** Reads the build's manifest (undefined without one: an older build, or none yet). */
export async function readManifest(root: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(join(root, '.vite', 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}
