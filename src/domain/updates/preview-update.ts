import { loadEnv, publicUrlOf } from '../../config/env.ts';
import type { Operation } from '../context.ts';
import { readVisibleIncident } from '../incidents/change.ts';
import { publicName } from '../incidents/confidential.ts';
import { statusPageStateOf } from '../plans/plan.ts';
import { stateLabel } from '../status-page/labels.ts';
import { pageBasics } from '../status-page/load-status-page.ts';
import * as statusPage from '../status-page/queries.ts';
import { renderUpdateEntry } from '../status-page/render-html.ts';
import { fallbackOrder, pickText } from '../status-page/status-page.ts';
import { noticeComponents } from '../subscribers/notify-subscribers.ts';
import * as subscribers from '../subscribers/queries.ts';
import { linkUrl, noticeEmail, UNSUBSCRIBE_PATH } from '../subscribers/subscribers.ts';
import { checkText } from './guard-rails.ts';
import { type PreviewUpdateBody, previewUpdateBodySchema } from './inputs.ts';

// Stands for a subscriber's own unsubscribe token in the previewed email: a real one is made per
// subscriber when the update is published.
const PREVIEW_TOKEN = 'preview';

/**
 * What an update would look like before it is posted: the guard-rail hits the server would refuse
 * (external text only, as when posting), and per language the status page entry and the subscriber
 * email, made by the same functions that render the page and the mail. Nothing is stored.
 */
export async function previewUpdate({
  ctx,
  input,
}: Operation<{ incidentId: string } & Record<string, unknown>>) {
  // As for drafting an update (draft-update.ts).
  ctx.require('read');
  const { incidentId, ...body } = input;
  const data: PreviewUpdateBody = previewUpdateBodySchema.parse(body);
  const { incident, plan } = await readVisibleIncident(ctx, incidentId);
  const settings = await statusPage.findSettings(ctx.db);
  const guard_rails =
    data.audience === 'external'
      ? checkText(data.bodies, settings?.guard_patterns ?? []).map((h) => ({
          language: h.language,
          pattern: h.rule,
          match: h.match,
        }))
      : [];
  const page = { ...(await pageBasics(ctx.db)), publicUrl: publicUrlOf(loadEnv()) };
  const languages = Object.keys(data.bodies);
  // The page's languages first (its fallback order), then those of this text.
  const order = [...new Set([...page.languages, ...languages])];
  const components = await noticeComponents(
    ctx.db,
    await subscribers.componentIdsOfIncident(ctx.db, incident.id),
  );
  const now = ctx.clock.now();
  const status = statusPageStateOf(plan, data.status ?? incident.state);
  const name = publicName(incident);
  const unsubscribeUrl = linkUrl(page.publicUrl, UNSUBSCRIBE_PATH, PREVIEW_TOKEN);
  const status_page: Record<string, { title: string; status: string; body: string; html: string }> = {};
  const email: Record<string, { subject: string; text: string }> = {};
  for (const language of languages) {
    status_page[language] = {
      title: name,
      status: stateLabel(language, status),
      body: pickText(data.bodies, fallbackOrder(language, order)),
      html: renderUpdateEntry({ id: 'preview', status, bodies: data.bodies, at: now }, language, order),
    };
    const mail = noticeEmail(
      {
        kind: 'incident',
        id: incident.id,
        key: PREVIEW_TOKEN,
        name,
        status,
        bodies: data.bodies,
        at: now,
        components,
      },
      { ...page, languages: order },
      language,
      unsubscribeUrl,
    );
    email[language] = { subject: String(mail.subject), text: String(mail.text) };
  }
  return { guard_rails, status_page, email };
}
