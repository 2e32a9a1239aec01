import { z } from 'zod';

// Inputs of the subscriber operations, in the API's snake_case (Statuspage's field names where it
// has them: email, endpoint, component_ids).

const id = z.string().regex(/^[1-9][0-9]{0,17}$/, 'an id is a positive integer');

export const subscribeInputSchema = z
  .strictObject({
    email: z
      .email()
      .max(254)
      .optional()
      .describe('subscribe this address (a confirmation link is sent first)'),
    endpoint: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional()
      .describe('subscribe this webhook URL (POSTed a signed JSON body per notice)'),
    component_ids: z
      .array(id)
      .max(200)
      .default([])
      .describe('only notices about these components (ids of components.json); empty: all'),
    language: z
      .string()
      .regex(/^[a-z]{2,3}(-[A-Za-z0-9]+)*$/, 'a language code such as en or am')
      .optional()
      .describe('the language to receive notices in; default: the page’s first'),
  })
  .refine((v) => (v.email === undefined) !== (v.endpoint === undefined), {
    message: 'give either email or endpoint',
    path: ['email'],
  });
export type SubscribeInput = z.input<typeof subscribeInputSchema>;

export const tokenInputSchema = z.strictObject({
  token: z.string().regex(/^[\w-]{16,100}$/, 'not a link token'),
});

export const listSubscribersInputSchema = z.strictObject({
  kind: z.enum(['email', 'webhook']).optional(),
  status: z.enum(['pending', 'active', 'unsubscribed']).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});
export type ListSubscribersInput = z.input<typeof listSubscribersInputSchema>;
