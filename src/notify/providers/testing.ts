import { expect } from 'vitest';
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
