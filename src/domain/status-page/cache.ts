import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Clock } from '../../db/clock.ts';
import type { Executor } from '../../db/schema.ts';
import { loadStatusPage, type StatusView } from './load-status-page.ts';
import { pageStamp } from './queries.ts';

// The public page is read far more often than it changes, so each rendering (document × language)
// is kept until the page's stamp (queries.ts pageStamp: a fingerprint of everything shown) changes.
// The stamp is asked for at most once per RECHECK_MS however many readers there are; an operation
// that changes the page in this process calls statusPageChanged() after its commit so the next reader
// sees the change at once (other instances see it within RECHECK_MS). The stamp also carries the
// clock's minute, so time-driven changes (a maintenance window opening, uptime) show within a minute.

const RECHECK_MS = 1000;

/** A rendering, encoded once: as it is and gzipped (most readers and every CDN take gzip). */
export interface Rendered {
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

class PageCache {
  private stamp: { value: Promise<string>; at: number } | undefined;
  private view: { stamp: string; value: Promise<StatusView> } | undefined;
  private rendered = new Map<string, Rendered>();
  private renderedStamp = '';

  invalidate(): void {
    this.stamp = undefined;
  }

  private currentStamp(db: Executor): Promise<string> {
    const at = performance.now();
    if (!this.stamp || at - this.stamp.at >= RECHECK_MS) {
      const value = pageStamp(db);
      // A failed check is not kept: the next reader asks again.
      value.catch(() => {
        if (this.stamp?.value === value) this.stamp = undefined;
      });
      this.stamp = { value, at };
    }
    return this.stamp.value;
  }

  async load(db: Executor, clock: Clock, publicUrl: string): Promise<{ stamp: string; view: StatusView }> {
    const minute = Math.floor(clock.now().getTime() / 60_000);
    const stamp = `${await this.currentStamp(db)}|${minute}`;
    if (this.view?.stamp !== stamp) {
      const value = loadStatusPage(db, clock.now(), publicUrl);
      value.catch(() => {
        if (this.view?.value === value) this.view = undefined;
      });
      this.view = { stamp, value };
    }
    return { stamp, view: await this.view.value };
  }

  rendering(stamp: string, key: string, render: () => string): Rendered {
    if (stamp !== this.renderedStamp) {
      this.rendered = new Map();
      this.renderedStamp = stamp;
    }
    let hit = this.rendered.get(key);
    if (!hit) {
      const body = Buffer.from(render(), 'utf8');
      hit = { body, gzip: gzipSync(body), etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
      this.rendered.set(key, hit);
    }
    return hit;
  }
}

const caches = new WeakMap<object, PageCache>();

function cacheOf(db: Executor): PageCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new PageCache();
    caches.set(db, cache);
  }
  return cache;
}

/** Call after committing a change the page shows: the next reader gets a fresh page. */
export function statusPageChanged(db: Executor): void {
  cacheOf(db).invalidate();
}

/** The view and a rendering of it for the reader: cached until anything on the page changes. */
export async function cachedRendering(
  db: Executor,
  clock: Clock,
  publicUrl: string,
  key: (view: StatusView) => string,
  render: (view: StatusView) => string,
): Promise<Rendered> {
  const cache = cacheOf(db);
  const { stamp, view } = await cache.load(db, clock, publicUrl);
  return cache.rendering(stamp, key(view), () => render(view));
}
