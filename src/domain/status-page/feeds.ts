import { Feed } from 'feed';
import { escapeHtml } from '../../lib/html.ts';
import type { StatusView } from './load-status-page.ts';
import { fallbackOrder, pickText } from './status-page.ts';

// The incident history as RSS 2.0 and Atom 1.0 (the `feed` package writes the XML): one entry per
// incident, its public updates as the entry's HTML content, in the reader's language. Every text is
// HTML-escaped before it goes into the content, so "]]>" or markup in an update cannot break out.

export type FeedFormat = 'rss' | 'atom';

export function renderFeed(v: StatusView, format: FeedFormat, language: string): string {
  const order = fallbackOrder(language, v.languages);
  const feed = new Feed({
    id: v.page.url,
    title: `${v.page.name} - incident history`,
    link: v.page.url,
    language,
    updated: v.page.updated_at,
    generator: 'Tocsin',
    copyright: v.page.name,
    feedLinks: { rss: `${v.page.url}/history.rss`, atom: `${v.page.url}/history.atom` },
  });
  for (const i of v.incidents) {
    const content = i.updates
      .map(
        (u) =>
          `<p><small>${escapeHtml(u.at.toISOString())}</small><br><strong>${escapeHtml(u.status)}</strong> - ${escapeHtml(pickText(u.bodies, order))}</p>`,
      )
      .join('');
    const link = `${v.page.url}#incident-${i.id}`;
    feed.addItem({
      id: `${v.page.url}/incidents/${i.id}`,
      // Atom titles are type="html" here, and many RSS readers render titles as HTML too.
      title: escapeHtml(i.name),
      link,
      date: i.updated_at,
      published: i.created_at,
      description: content,
      content,
    });
  }
  return format === 'rss' ? feed.rss2() : feed.atom1();
}
