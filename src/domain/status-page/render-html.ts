import { html, SafeHtml } from '../../lib/html.ts';
import { componentStatusLabel, indicatorLabel, label, stateLabel } from './labels.ts';
import type {
  ComponentView,
  IncidentView,
  MaintenanceView,
  StatusView,
  UpdateView,
} from './load-status-page.ts';
import { type ComponentStatus, fallbackOrder, pickText } from './status-page.ts';

// The public status page as one server-rendered HTML document: no JavaScript, every value escaped
// (lib/html.ts), readable in any language the page has (Ethiopic script included: the font stack
// names Ethiopic fonts and the document is UTF-8).

const PAST_DAYS = 15;
const DAY_MS = 86_400_000;

const CSS = `
:root{--ok:#2fa56b;--minor:#e7b416;--major:#e8730c;--critical:#d2323c;--maint:#3a7bd5;--muted:#6b7280}
*{box-sizing:border-box}
body{font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Ethiopic","Abyssinica SIL",Nyala,sans-serif;margin:0;color:#1d2330;background:#f7f8fa}
main{max-width:52rem;margin:0 auto;padding:1.5rem 1rem 3rem}
header{display:flex;justify-content:space-between;align-items:baseline;flex-wrap:wrap;gap:.5rem}
h1{font-size:1.6rem;margin:.2rem 0} h2{font-size:1.15rem;margin:2rem 0 .6rem} h3{font-size:1rem;margin:0}
nav a{margin-left:.6rem;color:#2451b7} nav a[aria-current]{font-weight:700;text-decoration:none;color:#1d2330}
.banner{border-radius:6px;padding:1rem 1.2rem;color:#fff;font-weight:600;font-size:1.15rem;margin:1rem 0}
.i-none{background:var(--ok)} .i-minor{background:var(--minor);color:#1d2330} .i-major{background:var(--major)}
.i-critical{background:var(--critical)} .i-maintenance{background:var(--maint)}
.card{background:#fff;border:1px solid #e3e6eb;border-radius:6px;padding:1rem 1.2rem;margin:.6rem 0}
.impact-critical{border-left:5px solid var(--critical)} .impact-major{border-left:5px solid var(--major)}
.impact-minor{border-left:5px solid var(--minor)} .impact-none{border-left:5px solid var(--muted)}
.maint{border-left:5px solid var(--maint)}
.update{margin:.6rem 0 0} .update b{margin-right:.4rem} .when{color:var(--muted);font-size:.85rem;display:block}
.comp{display:flex;justify-content:space-between;gap:1rem;align-items:baseline}
.s-operational{color:var(--ok)} .s-degraded_performance{color:#a37f00} .s-partial_outage{color:var(--major)}
.s-major_outage{color:var(--critical)} .s-under_maintenance{color:var(--maint)}
.group>summary{cursor:pointer;font-weight:600} .child{padding-left:1rem}
.bars{display:flex;gap:1px;height:26px;margin:.4rem 0 .1rem} .bars i{flex:1;border-radius:1px;background:var(--ok)}
.bars .b-degraded_performance{background:var(--minor)} .bars .b-partial_outage{background:var(--major)}
.bars .b-major_outage{background:var(--critical)} .bars .b-under_maintenance{background:var(--maint)}
.uptime{display:flex;justify-content:space-between;color:var(--muted);font-size:.8rem}
.day{border-bottom:1px solid #e3e6eb;padding:.5rem 0} .none{color:var(--muted)}
footer{margin-top:2rem;color:var(--muted);font-size:.85rem} footer a{color:inherit}
`;

// A constant of this file, not input: inserted as it is.
const STYLE = new SafeHtml(CSS);
const OK_DAY = new SafeHtml('<i></i>');

const fmt = (d: Date): string => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** The reader's language and the fallback order of texts. */
interface Reader {
  language: string;
  order: string[];
}

function updateEntry(u: UpdateView, r: Reader): SafeHtml {
  return html`<div class="update"><b>${stateLabel(r.language, u.status)}</b> - ${pickText(u.bodies, r.order)}<time class="when" datetime="${u.at.toISOString()}">${fmt(u.at)}</time></div>`;
}

function updateList(list: UpdateView[], r: Reader): SafeHtml[] {
  return list.map((u) => updateEntry(u, r));
}

/** One update exactly as the page shows it, for a reader of `language` (the composer's preview). */
export function renderUpdateEntry(u: UpdateView, language: string, languages: readonly string[]): string {
  return updateEntry(u, { language, order: fallbackOrder(language, languages) }).value;
}

function incidentCard(i: IncidentView, r: Reader): SafeHtml {
  return html`<article class="card impact-${i.impact}" id="incident-${i.id}"><h3>${i.name}</h3>${updateList(i.updates, r)}</article>`;
}

function maintenanceCard(m: MaintenanceView, r: Reader): SafeHtml {
  const window = m.scheduled_until
    ? html`${fmt(m.scheduled_for)} - ${fmt(m.scheduled_until)}`
    : html`${label(r.language, 'page.since')} ${fmt(m.scheduled_for)}`;
  return html`<article class="card maint" id="maintenance-${m.id}"><h3>${m.emergency ? `${label(r.language, 'page.emergency_maintenance')}: ` : ''}${m.name}</h3>
<p class="when">${stateLabel(r.language, m.status)} · ${window}</p>${updateList(m.updates, r)}</article>`;
}

function statusLabel(status: ComponentStatus, r: Reader): SafeHtml {
  return html`<span class="s-${status}">${componentStatusLabel(r.language, status)}</span>`;
}

function componentBlock(c: ComponentView, r: Reader): SafeHtml {
  // 90 bars per component: an operational day is a bare <i> (most days), so the page stays small.
  const bars = c.uptime.days.map((d) =>
    d.worst === 'operational'
      ? OK_DAY
      : html`<i class="b-${d.worst}" title="${d.date}: ${componentStatusLabel(r.language, d.worst)}"></i>`,
  );
  return html`<div class="card" id="component-${c.id}"><div class="comp"><span>${c.name}</span>${statusLabel(c.status, r)}</div>
${c.description ? html`<div class="when">${c.description}</div>` : ''}<div class="bars" aria-hidden="true">${bars}</div>
<div class="uptime"><span>${label(r.language, 'page.days_ago')}</span><span>${c.uptime.percent.toFixed(2)} ${label(r.language, 'page.uptime')}</span><span>${label(r.language, 'page.today')}</span></div></div>`;
}

function componentsSection(v: StatusView, r: Reader): SafeHtml {
  const visible = (c: ComponentView) => !c.only_show_if_degraded || c.status !== 'operational';
  const byId = new Map(v.components.map((c) => [c.id, c]));
  const top = v.components.filter((c) => c.group_id === null || !byId.has(c.group_id));
  const blocks = top.filter(visible).map((c) => {
    if (!c.is_group) return componentBlock(c, r);
    const children = c.children.flatMap((id) => {
      const child = byId.get(id);
      return child && visible(child) ? [child] : [];
    });
    return html`<details class="group card" open><summary><span class="comp"><span>${c.name}</span>${statusLabel(c.status, r)}</span></summary>
<div class="child">${children.map((child) => componentBlock(child, r))}</div></details>`;
  });
  return blocks.length > 0 ? html`<h2>${label(r.language, 'page.components')}</h2>${blocks}` : html``;
}

function pastIncidents(v: StatusView, r: Reader): SafeHtml {
  const today = Math.floor(v.now.getTime() / DAY_MS) * DAY_MS;
  const resolved = v.incidents.filter((i) => i.status === 'resolved');
  const days = Array.from({ length: PAST_DAYS }, (_, d) => {
    const start = today - d * DAY_MS;
    const date = new Date(start).toISOString().slice(0, 10);
    const those = resolved.filter((i) => i.created_at.toISOString().slice(0, 10) === date);
    return html`<section class="day"><h3>${date}</h3>${
      those.length > 0
        ? those.map((i) => incidentCard(i, r))
        : html`<p class="none">${label(r.language, 'page.no_incidents')}</p>`
    }</section>`;
  });
  return html`<h2>${label(r.language, 'page.past_incidents')}</h2>${days}`;
}

function languageSwitch(v: StatusView, language: string): SafeHtml {
  if (v.languages.length < 2) return html``;
  const links = v.languages.map((l) =>
    l === language
      ? html`<a href="?lang=${l}" hreflang="${l}" lang="${l}" aria-current="true">${l}</a>`
      : html`<a href="?lang=${l}" hreflang="${l}" lang="${l}">${l}</a>`,
  );
  return html`<nav aria-label="${label(language, 'page.language')}">${links}</nav>`;
}

/** Email subscription without JavaScript: a plain form posting to /status/subscribe. */
function subscribeForm(r: Reader): SafeHtml {
  return html`<h2 id="subscribe">${label(r.language, 'subscribe.title')}</h2>
<form class="card" method="post" action="/status/subscribe"><input type="hidden" name="lang" value="${r.language}">
<label>${label(r.language, 'subscribe.email')} <input type="email" name="email" required maxlength="254" autocomplete="email"></label>
<button type="submit">${label(r.language, 'subscribe.button')}</button></form>`;
}

export function renderStatusPage(v: StatusView, language: string): string {
  const r: Reader = { language, order: fallbackOrder(language, v.languages) };
  const active = v.incidents.filter((i) => i.status !== 'resolved');
  const maintenance = v.maintenances.filter((m) => m.status !== 'completed');
  const page = html`<!doctype html>
<html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${v.page.name}</title><link rel="icon" href="/status/favicon.svg" type="image/svg+xml">
<link rel="alternate" type="application/rss+xml" title="${v.page.name} history (RSS)" href="/status/history.rss">
<link rel="alternate" type="application/atom+xml" title="${v.page.name} history (Atom)" href="/status/history.atom">
<style>${STYLE}</style></head><body><main>
<header><h1>${v.page.name}</h1>${languageSwitch(v, language)}</header>
<div class="banner i-${v.indicator}" role="status">${indicatorLabel(language, v.indicator)}</div>
${active.length > 0 ? html`<h2>${label(language, 'page.active_incidents')}</h2>${active.map((i) => incidentCard(i, r))}` : ''}
${maintenance.length > 0 ? html`<h2>${label(language, 'page.maintenance')}</h2>${maintenance.map((m) => maintenanceCard(m, r))}` : ''}
${componentsSection(v, r)}
${pastIncidents(v, r)}
${subscribeForm(r)}
<footer>${label(language, 'page.updated')} ${fmt(v.page.updated_at)} · <a href="#subscribe">${label(language, 'subscribe.button')}</a> · <a href="/status/history.rss">RSS</a> · <a href="/status/history.atom">Atom</a> · <a href="/status/api/v2/summary.json">JSON</a></footer>
</main></body></html>`;
  return page.value;
}
