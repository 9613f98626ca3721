// Declarative endpoints: each says its method, path, schemas, permission and status, and hands
// the parsed input to one service call. The same list builds the router and the OpenAPI document.
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { can, type Permission } from '../contracts/roles';
import type { Actor, RequestContext } from './context';
import { forbidden, unauthenticated } from './errors';
import { parseInput } from './validate';
import { requireCsrfHeader } from './auth';

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

export interface HandlerInput<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  rc: RequestContext;
  ctx: Context;
}

export interface RouteDef<B = any, Q = any, P = any> {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  /** `session` (default): a signed-in user; `public`: anyone; `custom`: the handler authenticates. */
  auth?: 'session' | 'public' | 'custom';
  permission?: Permission;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  status?: number;
  handler(input: HandlerInput<B, Q, P>): Promise<unknown> | unknown;
}

/** Identity helper that keeps the handler's input types tied to the schemas. */
export function route<B = undefined, Q = undefined, P = undefined>(def: RouteDef<B, Q, P>): RouteDef<B, Q, P> {
  return def;
}

export const IdParams = z.object({ id: z.coerce.number().int().positive() });

export function buildRouter(prefix: string, routes: RouteDef[]): Router {
  const router = new Router({ prefix });
  for (const def of routes) {
    router[def.method](def.path, async (ctx) => {
      const auth = def.auth ?? 'session';
      const actor = ctx.state.actor as Actor | undefined;
      if (auth === 'session') {
        if (!actor) throw unauthenticated();
        requireCsrfHeader(ctx);
        if (def.permission && !can(actor.role, def.permission)) throw forbidden();
      }
      const input: HandlerInput<unknown, unknown, unknown> = {
        params: def.params ? parseInput(def.params, ctx.params) : ctx.params,
        query: def.query ? parseInput(def.query, ctx.query) : undefined,
        body: def.body ? parseInput(def.body, ctx.request.body) : undefined,
        rc: { actor: actor as Actor, ip: ctx.ip || null },
        ctx,
      };
      const result = await def.handler(input);
      if (ctx.body === undefined) {
        ctx.status = def.status ?? (result === undefined ? 204 : 200);
        if (result !== undefined) ctx.body = result;
      }
    });
  }
  return router;
}

function jsonSchema(schema: z.ZodType) {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
}

/** OpenAPI 3.1 description of the declared routes. */
export function buildOpenApi(prefix: string, routes: RouteDef[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const def of routes) {
    const path = prefix + def.path.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const m of def.path.matchAll(/:(\w+)/g)) parameters.push({ name: m[1], in: 'path', required: true, schema: { type: 'string' } });
    if (def.query) {
      const s = jsonSchema(def.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(s.properties ?? {})) {
        parameters.push({ name, in: 'query', required: s.required?.includes(name) ?? false, schema });
      }
    }
    const security = (def.auth ?? 'session') === 'session' ? [{ session: [] }] : def.auth === 'custom' ? [{ channelSignature: [] }] : [];
    (paths[path] ??= {})[def.method] = {
      summary: def.summary,
      tags: [def.tag],
      parameters,
      security,
      ...(def.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(def.body) } } } } : {}),
      responses: {
        [String(def.status ?? 200)]: { description: 'OK' },
        '4XX': { description: '错误', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'crm_session', description: 'Session cookie; state-changing requests also send X-Requested-With: XMLHttpRequest' },
        channelSignature: { type: 'apiKey', in: 'header', name: 'X-Signature', description: 'HMAC-SHA256(secret, X-Timestamp + "." + raw body), hex; with X-Channel-Key, X-Timestamp and Idempotency-Key' },
      },
      schemas: {
        Error: {
          type: 'object',
          properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} }, required: ['code', 'message'] } },
        },
      },
    },
  };
}
