// Serves the built H5 app; unknown non-API paths fall back to index.html (history-mode routes).
import fs from 'node:fs';
import path from 'node:path';
import type { Context, Next } from 'koa';
import serve from 'koa-static';

export function h5Static(distDir: string) {
  const index = path.join(distDir, 'index.html');
  const files = serve(distDir, { index: 'index.html', maxage: 0, gzip: true });
  return async (ctx: Context, next: Next) => {
    if (ctx.path.startsWith('/api/')) return next();
    await files(ctx, async () => {});
    if (ctx.body !== undefined || ctx.status !== 404 || !['GET', 'HEAD'].includes(ctx.method)) return next();
    if (path.extname(ctx.path) && !ctx.path.endsWith('.html')) return next(); // a missing asset stays a 404
    if (!fs.existsSync(index)) {
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'H5 尚未构建:请运行 npm run build:h5 (npm start 会自动构建)';
      return;
    }
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = fs.createReadStream(index);
  };
}
