import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { type JsonParse, parseJsonBody } from '../../http/json-body.ts';
import type { Metrics } from '../../http/metrics.ts';
import { redactUrl } from '../../http/redact-url.ts';
import type { InboundAnswer, InboundEndpoints, RequestLog } from './endpoints.ts';
import { INTEGRATION_ROUTE, PAGERDUTY_ROUTE } from './routes.ts';

// The inbound alert endpoints on a lean path in front of Fastify. Under a flood every alert is one
// request, and what Fastify does around a route (request and reply objects, the hook chain, the
// authentication hook, content-type dispatch, route-level hooks) cost ≈ 100 µs of the process's
// CPU per request on top of the handler's own work, about a third of Node's share per alert.
// This path reads the body (with the same size limit), parses it with the same strict JSON rules,
// calls the same endpoint functions as the Fastify routes (endpoints.ts) and writes their answer,
// counting it in the same /metrics series. It takes a request only when nothing about it needs
// Fastify; everything else goes to Fastify untouched, which answers as it always has:
// - another method, path, or a path Fastify would read differently (percent-encoded, a parameter
//   longer than its limits, an empty segment);
// - a body that is not declared as JSON (Fastify answers 415, or keeps the raw bytes of a text body
//   for a signature check and lets the format refuse it);
// - an Authorization header or a cookie: Fastify's authentication hook checks them even on public
//   routes (an unknown token is refused, and counted by the per-address failure limit);
// - once the server closes (server.ts unplugs this path in Fastify's preClose: Fastify then answers
//   503 with Connection: close, so busy keep-alive connections end and the close completes).
// What Fastify's other hooks do for these routes does not apply to them: the incident list cache is
// dropped by writes to incidents (an alert is not one; the engine's incident changes reach it by
// notification); no security headers are set on API answers; the failed-authentication limit
// counts API tokens only (a wrong integration key is a 4xx of its own, as through Fastify). Request
// ids only label log lines: a failure logged here carries the redacted URL instead.

/** What /api/v1/integrations/:type/:key's parameters may be (its Fastify schema; maxParamLength). */
const MAX_TYPE_LENGTH = 40;
const MAX_KEY_LENGTH = 100;
const INTEGRATIONS_PREFIX = '/api/v1/integrations/';
/** application/json, alone or with charset=utf-8: what senders send, and what Fastify parses as JSON. */
const JSON_CONTENT_TYPE = /^application\/json\s*(?:;\s*charset="?utf-8"?\s*)?$/i;

interface Target {
  route: typeof PAGERDUTY_ROUTE | typeof INTEGRATION_ROUTE;
  type: string;
  key: string;
}

const PAGERDUTY: Target = { route: PAGERDUTY_ROUTE, type: 'pagerduty', key: '' };

/** The route a request is for, when this path can serve it; undefined: Fastify's. */
function targetOf(request: IncomingMessage): Target | undefined {
  if (request.method !== 'POST') return undefined;
  const url = request.url ?? '';
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  let target: Target;
  if (path === PAGERDUTY_ROUTE) target = PAGERDUTY;
  else if (path.startsWith(INTEGRATIONS_PREFIX)) {
    const rest = path.slice(INTEGRATIONS_PREFIX.length);
    const slash = rest.indexOf('/');
    if (slash <= 0 || rest.includes('%')) return undefined;
    const type = rest.slice(0, slash);
    const key = rest.slice(slash + 1);
    if (key === '' || key.includes('/') || type.length > MAX_TYPE_LENGTH || key.length > MAX_KEY_LENGTH)
      return undefined;
    target = { route: INTEGRATION_ROUTE, type, key };
  } else return undefined;
  return takes(request.headers) ? target : undefined;
}

function takes(headers: IncomingHttpHeaders): boolean {
  const type = headers['content-type'];
  return (
    type !== undefined &&
    JSON_CONTENT_TYPE.test(type) &&
    headers.authorization === undefined &&
    headers.cookie === undefined
  );
}

/** The body too large, as Fastify reports it (error-mapping.ts maps its code to 413). */
function bodyTooLarge(): Error {
  return Object.assign(new Error('Request body is too large'), {
    code: 'FST_ERR_CTP_BODY_TOO_LARGE',
    statusCode: 413,
  });
}

export interface FastPathDeps {
  inbound: InboundEndpoints;
  metrics: Metrics;
  log: FastifyBaseLogger;
  bodyLimit: number;
  /** Fastify's JSON parser (json-body.ts), so both ways parse alike. */
  parseJson: JsonParse;
}

/** A node:http request listener's front: true when it took the request, false to pass it on. */
export type FastPath = (request: IncomingMessage, response: ServerResponse) => boolean;

export function inboundFastPath(deps: FastPathDeps): FastPath {
  const { inbound, metrics, log, bodyLimit, parseJson } = deps;

  function reply(response: ServerResponse, target: Target, answer: InboundAnswer, started: number) {
    const payload = JSON.stringify(answer.body);
    const elapsed = performance.now() - started;
    response.statusCode = answer.status;
    response.setHeader('content-type', 'application/json; charset=utf-8');
    response.setHeader('content-length', Buffer.byteLength(payload));
    if (answer.headers)
      for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
    // What the server's onSend hook adds to every /api/ answer (the browser's resource timing).
    if (target.route === INTEGRATION_ROUTE)
      response.setHeader('server-timing', `app;dur=${elapsed.toFixed(1)}`);
    response.end(payload);
    // The server's onResponse hook, for these routes (tocsin_http_requests_total and the duration).
    metrics.httpRequests.inc({ method: 'POST', route: target.route, status: String(answer.status) });
    metrics.httpDuration.observe({ method: 'POST', route: target.route }, elapsed / 1000);
  }

  async function answer(target: Target, body: Buffer, request: IncomingMessage, where: RequestLog) {
    let parsed: unknown;
    try {
      parsed = parseJsonBody(body, parseJson);
    } catch (error) {
      return failure(target, error, where);
    }
    if (target.route === PAGERDUTY_ROUTE) return inbound.pagerDuty(parsed, where);
    const input = {
      type: target.type,
      key: target.key,
      body: parsed,
      rawBody: body,
      headers: request.headers,
    };
    return inbound.integration(input, where);
  }

  function failure(target: Target, error: unknown, where: RequestLog): InboundAnswer {
    return target.route === PAGERDUTY_ROUTE
      ? inbound.pagerDutyFailure(error, where)
      : inbound.integrationFailure(error, where);
  }

  return (request, response) => {
    const target = targetOf(request);
    if (!target) return false;
    const started = performance.now();
    const where: RequestLog = { log, url: request.url ?? '' };
    const declared = Number(request.headers['content-length']);
    if (declared > bodyLimit) {
      // Answered before reading; the rest is read and dropped so the connection stays usable.
      reply(response, target, failure(target, bodyTooLarge(), where), started);
      request.resume();
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    request.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > bodyLimit) {
        done = true;
        chunks.length = 0;
        reply(response, target, failure(target, bodyTooLarge(), where), started);
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (done) return;
      done = true;
      // A copy, as Fastify makes: the signature check reads it after an await.
      const body = Buffer.concat(chunks, size);
      answer(target, body, request, where)
        .then((a) => reply(response, target, a, started))
        .catch((error: unknown) => {
          // A defect, not an input (the endpoints answer every failure): never leave the sender hanging.
          log.error({ err: error, url: redactUrl(where.url) }, 'inbound answer failed');
          if (!response.headersSent) response.writeHead(500).end();
        });
    });
    request.on('error', (error) => {
      // The sender went away mid-body: nothing was queued; answer in case the socket still listens.
      if (done) return;
      done = true;
      reply(response, target, failure(target, Object.assign(error, { statusCode: 400 }), where), started);
    });
    return true;
  };
}
