import { html, type SafeHtml } from '../../lib/html.ts';
import { type LabelKey, label } from '../status-page/labels.ts';

// The small server-rendered pages of the subscribe flow (no JavaScript): the answer to the subscribe
// form, and the confirm / unsubscribe pages. A link in an email only shows a button: mail scanners
// that open links must not confirm or unsubscribe anyone, so the change is the button's POST.

export interface PageText {
  pageName: string;
  language: string;
}

function page(t: PageText, title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="${t.language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} - ${t.pageName}</title><link rel="icon" href="/status/favicon.svg" type="image/svg+xml"></head>
<body style="font:16px/1.55 system-ui,sans-serif,'Noto Sans Ethiopic';max-width:36rem;margin:2rem auto;padding:0 1rem">
<h1 style="font-size:1.4rem">${title}</h1>${body}<p><a href="/status?lang=${t.language}">${t.pageName}</a></p></body></html>`
    .value;
}

export function messagePage(t: PageText, titleKey: LabelKey, messageKey: LabelKey): string {
  return page(t, label(t.language, titleKey), html`<p role="status">${label(t.language, messageKey)}</p>`);
}

/** A page that explains a refused request (bad address, rate limit) in the reader's language page. */
export function errorPage(t: PageText, message: string): string {
  return page(t, label(t.language, 'subscribe.title'), html`<p role="alert">${message}</p>`);
}

/** The button that confirms or unsubscribes: a form posting the link's token back. */
export function actionPage(
  t: PageText,
  action: string,
  token: string,
  titleKey: LabelKey,
  buttonKey: LabelKey,
): string {
  return page(
    t,
    label(t.language, titleKey),
    html`<form method="post" action="${action}"><input type="hidden" name="token" value="${token}"><input type="hidden" name="lang" value="${t.language}"><button type="submit">${label(t.language, buttonKey)}</button></form>`,
  );
}
