import { z } from 'zod';
import { applyMaintenanceWindow, endWindowsRemovedFrom } from '../../maintenance/apply-maintenance-window.ts';
import { storedView, timingOf, windowSpecSchema, windowView } from '../../maintenance/maintenance-window.ts';
import * as maintenance from '../../maintenance/queries.ts';
import { defineKind, diffAgainst, documentSchema, parseDocument } from '../config.ts';

// kind: MaintenanceWindow — planned work on services: their alerts are suppressed (or their
// incidents paged best effort) while it is open. Removing it from its file and applying the file
// again ends it.
//   apiVersion: tocsin.dev/v1
//   kind: MaintenanceWindow
//   metadata: { name: db-upgrade }
//   spec:
//     services: [checkout, payments]
//     start: 2026-12-06T02:00:00Z
//     duration: 2h                  # or end: 2026-12-06T04:00:00Z
//     recurrence: weekly            # optional, with until and timeZone
//     mode: suppress                # or downgrade
//     reason: PostgreSQL 16 upgrade

export const windowDocumentSchema = documentSchema(
  'MaintenanceWindow',
  z.strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and "-", at most 63 characters'),
  }),
  windowSpecSchema,
);
type WindowDocument = z.output<typeof windowDocumentSchema>;

export const maintenanceWindowKind = defineKind<WindowDocument>({
  kind: 'MaintenanceWindow',
  // After Service: it names services, which may be defined in the same apply.
  order: 50,
  permission: 'maintenance:write',
  validate: (doc) => parseDocument(windowDocumentSchema, doc),
  name: (doc) => doc.metadata.name,
  async plan(ctx, doc) {
    const rows = await maintenance.lockWindowRows(ctx.db, doc.metadata.name);
    return diffAgainst(
      storedView(rows),
      windowView(doc.spec.services, timingOf(doc.metadata.name, doc.spec)),
    );
  },
  async apply(ctx, doc, source) {
    const { change } = await applyMaintenanceWindow({
      ctx,
      input: { name: doc.metadata.name, spec: doc.spec, file: source.file },
    });
    return change;
  },
  async prune(ctx, files, keep) {
    return endWindowsRemovedFrom({ ctx, input: { files, keep } });
  },
});
