// The incident page's form schemas in one module that the page loads only when a form is first used
// (see lazyChecks): zod is not on the page's load path.
export {
  assignRoleBodySchema,
  noteBodySchema,
  publishUpdateBodySchema,
  resolveBodySchema,
  responderBodySchema,
  severityBodySchema,
  transitionBodySchema,
} from '../../../src/domain/incidents/inputs.ts';
export { pageInputSchema } from '../../../src/domain/paging/page-input.ts';
export { approveBodySchema, requestChangesBodySchema } from '../../../src/domain/updates/inputs.ts';
