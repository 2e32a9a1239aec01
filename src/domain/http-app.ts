import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Clock } from '../db/clock.ts';
import type { Db } from '../db/schema.ts';
import type { Ctx } from './context.ts';

// What a concept's routes.ts registers on: the server's type and the dependencies routes may use.
// A leaf module, so the domain never imports the server assembly (src/http/server.ts), which
// imports every concept's routes.

export type App = FastifyInstance<Server, IncomingMessage, ServerResponse, Logger, ZodTypeProvider>;

/** What routes receive from the server assembly (src/http/server.ts adds its own settings). */
export interface RouteDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  publicUrl: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's context (actor, permissions, clock), set by the server's authentication hook. */
    ctx: Ctx;
  }
  interface FastifyContextConfig {
    /** Answers without a token (schemas, docs, inbound integrations that carry their own key). */
    public?: boolean;
  }
}
