// The daily summary's chart pictures, public by unguessable token (see summary.charts-store.ts):
// DingTalk fetches the image of a robot markdown message without any session.
import { z } from 'zod';
import { route, type RouteDef } from '../../../http/route';
import { notFound } from '../../../http/errors';
import type { Deps } from '../../../deps';
import { CHART_FILE, loadChart } from './summary.charts-store';

const ChartParams = z.object({ file: z.string().regex(CHART_FILE, { error: '图表地址不正确' }) });

export function summaryRoutes(deps: Pick<Deps, 'db' | 'bot'>): RouteDef[] {
  return [
    route({
      method: 'get', path: '/public/summary-charts/:file', tag: 'reports', auth: 'public', summary: '每日战报排行图(群机器人消息中的图片,凭不可猜测的地址访问,7 天后失效)', params: ChartParams,
      handler: async ({ params, ctx }) => {
        const png = await loadChart(deps.db, CHART_FILE.exec(params.file)![1]!, new Date(deps.bot.now()));
        if (!png) throw notFound('图表不存在或已过期');
        ctx.set('Content-Type', 'image/png');
        ctx.set('Cache-Control', 'public, max-age=86400');
        ctx.body = png;
      },
    }),
  ];
}
