import type { Operation } from '../context.ts';
import { DEFAULT_PAGE_NAME } from './load-status-page.ts';
import * as q from './queries.ts';
import { showComponent } from './save-component.ts';
import { maintenanceStatusAt } from './status-page.ts';

/** The page's settings, components and groups, and maintenance, as the admin API shows them. */
export async function getStatusPageConfig({ ctx }: Operation<Record<string, never>>) {
  ctx.require('read');
  const now = ctx.clock.now();
  const [settings, components, maintenances] = await Promise.all([
    q.findSettings(ctx.db),
    q.listComponents(ctx.db),
    q.listMaintenances(ctx.db, new Date(now.getTime() - 30 * 86_400_000)),
  ]);
  const names = new Map(components.map((c) => [c.id, c.name]));
  const links = await q.maintenanceComponents(
    ctx.db,
    maintenances.map((m) => m.id),
  );
  return {
    settings: { name: settings?.name ?? DEFAULT_PAGE_NAME, languages: settings?.languages ?? [] },
    components: components.map((c) => showComponent(c, names)),
    maintenances: maintenances.map((m) => ({
      ...m,
      status: maintenanceStatusAt(m, now),
      components: links
        .filter((l) => String(l.maintenance_id) === m.id)
        .map((l) => names.get(String(l.component_id))),
    })),
  };
}
