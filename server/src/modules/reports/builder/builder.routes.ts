// Report builder endpoints (C23): the dataset catalogue, run a definition, saved reports on the
// personal / shared dashboards (我的看板). Every run is scoped to the signed-in person.
import { z } from 'zod';
import { route, IdParams, type RouteDef } from '../../../http/route';
import { ReportDefinition, SaveReport, UpdateReport } from '../../../contracts/report-builder';
import type { ReportBuilderService } from './builder.service';

export function reportBuilderRoutes(builder: ReportBuilderService): RouteDef[] {
  const tag = 'report-builder';
  return [
    route({ method: 'get', path: '/reports/builder/datasets', tag, summary: '报表构建器:可选数据集、维度与指标', permission: 'report.view', handler: () => builder.datasets() }),
    route({ method: 'post', path: '/reports/builder/run', tag, summary: '运行报表(按本人数据范围)', permission: 'report.view', body: z.object({ definition: ReportDefinition }).strict(), handler: ({ rc, body }) => builder.run(rc, body.definition) }),
    route({ method: 'get', path: '/reports/builder/saved', tag, summary: '我的看板与共享看板', handler: ({ rc }) => builder.list(rc) }),
    route({ method: 'post', path: '/reports/builder/saved', tag, summary: '保存报表到看板', status: 201, body: SaveReport, handler: ({ rc, body }) => builder.create(rc, body) }),
    route({ method: 'get', path: '/reports/builder/saved/:id', tag, summary: '报表详情', params: IdParams, handler: ({ rc, params }) => builder.get(rc, params.id) }),
    route({ method: 'patch', path: '/reports/builder/saved/:id', tag, summary: '修改报表(名称、共享、定义)', params: IdParams, body: UpdateReport, handler: ({ rc, params, body }) => builder.update(rc, params.id, body) }),
    route({ method: 'delete', path: '/reports/builder/saved/:id', tag, summary: '删除报表', params: IdParams, handler: ({ rc, params }) => builder.remove(rc, params.id) }),
    route({ method: 'post', path: '/reports/builder/saved/:id/run', tag, summary: '运行已保存的报表', permission: 'report.view', params: IdParams, handler: ({ rc, params }) => builder.runSaved(rc, params.id) }),
  ];
}
