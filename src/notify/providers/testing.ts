import { expect } from 'vitest';
import type { NotificationPayload } from '../message.ts';
import { DeliveryError } from './provider.ts';

// Shared by the providers' tests.

/** The DeliveryError a send rejected with (fails the test when it resolved or threw anything else). */
export async function deliveryFailure(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

/** A page as the paging engine queues it, for the chat providers' tests. */
export const page: NotificationPayload = {
  kind: 'page',
  text: 'Checkout is failing for 40% of requests',
  incident: {
    id: 'inc_42',
    title: 'Checkout down',
    severity: 'SEV1',
    state: 'triggered',
    url: 'https://t.example/i/42',
  },
  ack: { url: 'https://t.example/ack/tok', code: '4821' },
};
