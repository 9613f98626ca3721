// First middleware in the chain: renders every error once as { error: { code, message, details } }.
// A 4xx message reaches the client; a 5xx message never does.
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { ERROR_CODES } from '../contracts/errors';
import { AppError } from './errors';

export function errorHandler(log: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (err) {
      if (err instanceof AppError) {
        ctx.status = err.status;
        ctx.body = { error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } };
        return;
      }
      const e = err as { status?: number; type?: string; expose?: boolean };
      // co-body (under @koa/bodyparser) throws a plain SyntaxError with status 400 for bad JSON.
      if (e.type === 'entity.parse.failed' || e.type === 'entity.verify.failed' || (err instanceof SyntaxError && e.status === 400)) {
        ctx.status = 400;
        ctx.body = { error: { code: 'VALIDATION_FAILED', message: '请求内容不是有效的 JSON' } };
        return;
      }
      if (e.type === 'entity.too.large' || e.status === 413) {
        ctx.status = 413;
        ctx.body = { error: { code: 'PAYLOAD_TOO_LARGE', message: ERROR_CODES.PAYLOAD_TOO_LARGE } };
        return;
      }
      log.error({ err, method: ctx.method, url: ctx.url }, 'unhandled error');
      ctx.status = 500;
      ctx.body = { error: { code: 'INTERNAL_ERROR', message: ERROR_CODES.INTERNAL_ERROR } };
    }
  };
}
