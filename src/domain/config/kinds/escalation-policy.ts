import { z } from 'zod';
import { policyInputSchema } from '../../escalation-policies/policies.ts';
import * as policies from '../../escalation-policies/queries.ts';
import { savePolicy } from '../../escalation-policies/save-policy.ts';
import { showPolicy } from '../../escalation-policies/view.ts';
import { defineKind, diffAgainst, documentSchema, parseDocument } from '../config.ts';

// kind: EscalationPolicy — who is paged, in order, until someone acknowledges.
//   apiVersion: tocsin.dev/v1
//   kind: EscalationPolicy
//   metadata: { name: checkout, description: Checkout on-call }
//   spec:
//     repeat: 1
//     steps:
//       - { schedules: [primary], escalateAfter: 5m }
//       - { schedules: [secondary], escalateAfter: 10m }
//       - { users: [jordan] }

export const policyDocumentSchema = documentSchema(
  'EscalationPolicy',
  z.strictObject({ name: policyInputSchema.shape.name, description: policyInputSchema.shape.description }),
  policyInputSchema.pick({ steps: true, repeat: true }),
);
type PolicyDocument = z.output<typeof policyDocumentSchema>;

export const escalationPolicyKind = defineKind<PolicyDocument>({
  kind: 'EscalationPolicy',
  // After User, Team and Schedule (its steps name them), before Service (which names a policy).
  order: 27,
  permission: 'policy:write',
  validate: (doc) => parseDocument(policyDocumentSchema, doc),
  name: (doc) => doc.metadata.name,
  async plan(ctx, doc) {
    const stored = await policies.findPolicy(ctx.db, doc.metadata.name);
    const view = stored && showPolicy(stored);
    return diffAgainst(view && { description: view.description, steps: view.steps, repeat: view.repeat }, {
      description: doc.metadata.description,
      steps: doc.spec.steps,
      repeat: doc.spec.repeat,
    });
  },
  async apply(ctx, doc) {
    const { change } = await savePolicy({
      ctx,
      input: {
        policy: { name: doc.metadata.name, description: doc.metadata.description, ...doc.spec },
        mode: 'upsert',
      },
    });
    return change;
  },
  locate: (detailPath) =>
    detailPath === 'name' || detailPath === 'description'
      ? ['metadata', detailPath]
      : ['spec', ...detailPath.split('.')],
});
