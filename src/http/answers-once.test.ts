import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, auth, capturedLog, settled, type TestApp, testApp } from '../../test/helpers.ts';

// Routes that answer with reply.send() and no body (204) must answer once: an async handler that
// sends and then resolves to undefined is sent again by Fastify while the first answer's onSend
// hooks still run, and the second writeHead logs "Reply was already sent" and ERR_HTTP_HEADERS_SENT.
// (The acknowledge link's routes are checked in domain/paging/ack-routes.test.ts.)

let t: TestApp;
const logged = capturedLog();

beforeAll(async () => {
  t = await testApp({ log: logged.log });
  // A server with an event hub (production) has two async onSend hooks (server timing, the incident
  // list cache); a handler that answers twice only shows it with two, so the test app gets a second.
  t.app.addHook('onSend', async (_request, _reply, payload) => payload);
  await addUser(t.ctx(), 'selam');
});
afterAll(() => t.close());

describe('every request is answered once', () => {
  it('signing out without a session, and setting a password, answer 204 once', async () => {
    const requests = [
      { method: 'POST', url: '/api/v1/auth/logout' },
      {
        method: 'PUT',
        url: '/api/v1/users/selam/password',
        headers: auth(t.adminToken),
        payload: { password: 'a long enough passphrase' },
      },
    ] as const;
    for (const request of requests) {
      logged.clear();
      const res = await t.app.inject(request);
      await settled();
      expect(res.statusCode, request.url).toBe(204);
      expect(logged.problems(), request.url).toEqual([]);
    }
  });
});
