import { z } from 'zod';
import type { Ctx } from '../../context.ts';
import { componentNameSchema, settingsInputSchema } from '../../status-page/inputs.ts';
import * as statusPage from '../../status-page/queries.ts';
import { saveComponent } from '../../status-page/save-component.ts';
import { saveStatusPageSettings } from '../../status-page/save-settings.ts';
import { defineKind, diffAgainst, documentSchema, errorAt, parseDocument } from '../config.ts';

// kind: StatusPage — the public page's title, languages, groups and components. Positions follow
// the order of the lists. Components the document does not name are left as they are (deleting one
// deletes its uptime history: that takes `DELETE /api/v1/status-page/components/<name>`).
//   apiVersion: tocsin.dev/v1
//   kind: StatusPage
//   metadata: { name: Creator platform status }
//   spec:
//     languages: [en, am]
//     groups: [{ name: Platform }]
//     components:
//       - { name: API, group: Platform }
//       - { name: Uploads, group: Platform, description: Video and image uploads }
//       - { name: Website, onlyShowIfDegraded: false }

const entry = {
  name: componentNameSchema,
  description: z.string().max(1000).default(''),
};
const spec = z.strictObject({
  languages: settingsInputSchema.shape.languages,
  groups: z.array(z.strictObject(entry)).max(100).default([]),
  components: z
    .array(
      z.strictObject({
        ...entry,
        group: componentNameSchema.optional().describe('a group of this document'),
        onlyShowIfDegraded: z.boolean().default(false),
      }),
    )
    .max(500)
    .default([]),
});

export const statusPageDocumentSchema = documentSchema(
  'StatusPage',
  z.strictObject({ name: settingsInputSchema.shape.name.describe('the page title') }),
  spec,
);
type StatusPageDocument = z.output<typeof statusPageDocumentSchema>;

interface Shape {
  title: string;
  languages: string[];
  components: Record<
    string,
    {
      description: string;
      group: string | null;
      group_component: boolean;
      position: number;
      only_show_if_degraded: boolean;
    }
  >;
}

function wanted(doc: StatusPageDocument): Shape {
  const components: Shape['components'] = {};
  doc.spec.groups.forEach((g, position) => {
    components[g.name] = {
      description: g.description,
      group: null,
      group_component: true,
      position,
      only_show_if_degraded: false,
    };
  });
  // One order on the page: the groups, then the components, as listed.
  const after = doc.spec.groups.length;
  doc.spec.components.forEach((c, index) => {
    const position = after + index;
    components[c.name] = {
      description: c.description,
      group: c.group ?? null,
      group_component: false,
      position,
      only_show_if_degraded: c.onlyShowIfDegraded,
    };
  });
  return { title: doc.metadata.name, languages: doc.spec.languages, components };
}

/** The stored page against the document; only the components the document names count. */
async function diffPage(ctx: Ctx, doc: StatusPageDocument) {
  const want = wanted(doc);
  const [settings, rows] = await Promise.all([
    statusPage.findSettings(ctx.db),
    statusPage.listComponents(ctx.db),
  ]);
  const names = new Map(rows.map((r) => [r.id, r.name]));
  const components: Shape['components'] = {};
  for (const r of rows) {
    if (!(r.name in want.components)) continue;
    components[r.name] = {
      description: r.description,
      group: r.group_id === null ? null : (names.get(String(r.group_id)) ?? null),
      group_component: r.is_group,
      position: r.position,
      only_show_if_degraded: r.only_show_if_degraded,
    };
  }
  return diffAgainst(settings && { title: settings.name, languages: settings.languages, components }, want);
}

export const statusPageKind = defineKind<StatusPageDocument>({
  kind: 'StatusPage',
  order: 60,
  permission: 'status-page:write',
  validate(doc) {
    const parsed = parseDocument(statusPageDocumentSchema, doc);
    if (parsed.errors) return parsed;
    const { groups, components } = parsed.value.spec;
    const groupNames = new Set(groups.map((g) => g.name));
    const seen = new Set<string>();
    const errors = [
      ...groups.map((g, i) => ({ name: g.name, path: ['spec', 'groups', i, 'name'] })),
      ...components.map((c, i) => ({ name: c.name, path: ['spec', 'components', i, 'name'] })),
    ].flatMap(({ name, path }) => {
      const dup = seen.has(name);
      seen.add(name);
      return dup ? [errorAt(doc, path, `"${name}" is listed twice`)] : [];
    });
    components.forEach((c, i) => {
      if (c.group && !groupNames.has(c.group)) {
        errors.push(errorAt(doc, ['spec', 'components', i, 'group'], `no group "${c.group}" in spec.groups`));
      }
    });
    return errors.length > 0 ? { errors } : parsed;
  },
  // One page per installation: its title is its name.
  name: (doc) => doc.metadata.name,
  plan: diffPage,
  async apply(ctx, doc) {
    const before = await diffPage(ctx, doc);
    if (before.change === 'unchanged') return 'unchanged';
    const want = wanted(doc);
    // The guard rails' patterns are set through the API, not this document: keep them.
    const stored = await statusPage.findSettings(ctx.db);
    await saveStatusPageSettings({
      ctx,
      input: { name: want.title, languages: want.languages, guard_patterns: stored?.guard_patterns ?? [] },
    });
    // Groups first: components name them.
    const entries = Object.entries(want.components).sort(
      ([, a], [, b]) => Number(b.group_component) - Number(a.group_component),
    );
    for (const [name, c] of entries) await saveComponent({ ctx, input: { name, ...c } });
    return before.change;
  },
});
