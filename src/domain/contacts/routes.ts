import { z } from 'zod';
import { configuredChannels } from '../../notify/providers/from-env.ts';
import type { App } from '../http-app.ts';
import { handleSchema } from '../users/users.ts';
import {
  contactMethodInputSchema,
  contactMethodPatchSchema,
  notificationRulesInputSchema,
  verifyInputSchema,
} from './contacts.ts';
import { createContactMethod } from './create-contact-method.ts';
import { deleteContactMethod } from './delete-contact-method.ts';
import { getNotificationRules } from './get-notification-rules.ts';
import { listContactMethods } from './list-contact-methods.ts';
import { sendVerificationCode } from './send-verification-code.ts';
import { setNotificationRules } from './set-notification-rules.ts';
import { updateContactMethod } from './update-contact-method.ts';
import { verifyContactMethod } from './verify-contact-method.ts';

const tags = ['contacts'];
const BASE = '/api/v1/users/:handle/contact-methods';
const userParams = z.strictObject({ handle: handleSchema });
const methodParams = z.strictObject({ handle: handleSchema, id: z.string().regex(/^[0-9]{1,18}$/, 'an id') });

export function registerContactRoutes(app: App): void {
  app.get(
    BASE,
    { schema: { tags, params: userParams, summary: "A user's contact methods" } },
    async (request) => ({
      contact_methods: await listContactMethods({ ctx: request.ctx, input: { user: request.params.handle } }),
    }),
  );
  app.post(
    BASE,
    {
      schema: {
        tags,
        params: userParams,
        body: contactMethodInputSchema,
        summary: 'Add a contact method (unverified; a 6-digit code is sent to it)',
      },
    },
    async (request, reply) => {
      const method = await createContactMethod({
        ctx: request.ctx,
        input: { user: request.params.handle, method: request.body },
      });
      reply.status(201);
      // Whether the code can leave now: with no provider for its channel it waits in the outbox.
      const on = configuredChannels();
      return { contact_method: method, code_channel_off: on ? !on.includes(method.kind) : false };
    },
  );
  app.patch(
    `${BASE}/:id`,
    {
      schema: {
        tags,
        params: methodParams,
        body: contactMethodPatchSchema,
        summary: 'Relabel, disable or enable',
      },
    },
    async (request) => ({
      contact_method: await updateContactMethod({
        ctx: request.ctx,
        input: { user: request.params.handle, id: request.params.id, patch: request.body },
      }),
    }),
  );
  app.delete(
    `${BASE}/:id`,
    { schema: { tags, params: methodParams, summary: 'Delete a contact method and the rules using it' } },
    async (request) => ({
      contact_method: await deleteContactMethod({
        ctx: request.ctx,
        input: { user: request.params.handle, id: request.params.id },
      }),
    }),
  );
  app.post(
    `${BASE}/:id/send-code`,
    { schema: { tags, params: methodParams, summary: 'Send a new verification code (once a minute)' } },
    async (request, reply) => {
      const method = await sendVerificationCode({
        ctx: request.ctx,
        input: { user: request.params.handle, id: request.params.id },
      });
      reply.status(202);
      return { contact_method: method };
    },
  );
  app.post(
    `${BASE}/:id/verify`,
    { schema: { tags, params: methodParams, body: verifyInputSchema, summary: 'Verify with the code sent' } },
    async (request) => ({
      contact_method: await verifyContactMethod({
        ctx: request.ctx,
        input: { user: request.params.handle, id: request.params.id, code: request.body.code },
      }),
    }),
  );
  app.get(
    '/api/v1/users/:handle/notification-rules',
    { schema: { tags, params: userParams, summary: "A user's notification rules and quiet hours" } },
    async (request) => ({
      notification_rules: await getNotificationRules({
        ctx: request.ctx,
        input: { user: request.params.handle },
      }),
    }),
  );
  app.put(
    '/api/v1/users/:handle/notification-rules',
    {
      schema: {
        tags,
        params: userParams,
        body: notificationRulesInputSchema,
        summary: 'Replace the rules: [{contact: label|kind or contact_method_id, after: 5m}], quiet_hours',
      },
    },
    async (request) => ({
      notification_rules: await setNotificationRules({
        ctx: request.ctx,
        input: { user: request.params.handle, ...request.body },
      }),
    }),
  );
}
