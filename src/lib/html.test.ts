import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from './html.ts';

describe('html', () => {
  it('escapes interpolated values', () => {
    expect(html`<p>${'<script>alert("x")</script>'}</p>`.value).toBe(
      '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>',
    );
    expect(escapeHtml("it's & <b>")).toBe('it&#39;s &amp; &lt;b&gt;');
  });
  it('keeps nested safe fragments', () => {
    const inner = html`<b>${'a&b'}</b>`;
    expect(html`<p>${inner}${[html`<i>1</i>`, '<2>']}</p>`.value).toBe(
      '<p><b>a&amp;b</b><i>1</i>&lt;2&gt;</p>',
    );
  });
});
