// Demo saved reports (C23) so 我的看板 is not empty on `npm start`: a few shared by managers at
// each level and one personal, each a definition the builder itself would produce.
import type { Deps } from '../../server/src/deps';
import { ReportDefinition, type ReportDefinitionInput } from '../../server/src/contracts/report-builder';

const REPORTS: { owner: string; name: string; visibility: 'personal' | 'shared'; definition: ReportDefinitionInput }[] = [
  { owner: '王敏', name: '全公司进件通过率(按产品)', visibility: 'shared', definition: { dataset: 'applications', dimensions: [{ field: 'product' }], measures: [{ fn: 'count' }, { fn: 'rate', field: 'approved' }], chart: 'table' } },
  { owner: '周强', name: '分公司每月新客户', visibility: 'shared', definition: { dataset: 'customers', dimensions: [{ field: 'date', bucket: 'month' }, { field: 'team' }], measures: [{ fn: 'count' }], chart: 'bar' } },
  { owner: '吴婷', name: '团队各渠道新客户', visibility: 'shared', definition: { dataset: 'customers', dimensions: [{ field: 'channel' }], measures: [{ fn: 'count' }], chart: 'bar' } },
  { owner: '吴婷', name: '团队跟进方式', visibility: 'personal', definition: { dataset: 'followups', dimensions: [{ field: 'type' }], measures: [{ fn: 'count' }], chart: 'pie' } },
  { owner: '张伟', name: '我的客户阶段分布', visibility: 'personal', definition: { dataset: 'customers', dimensions: [{ field: 'stage' }], measures: [{ fn: 'count' }], chart: 'funnel' } },
];

export async function seedDemoReportBuilder(deps: Deps) {
  const m = deps.db.models;
  if ((await m.SavedReport.count()) > 0) return;
  const users = new Map((await m.User.findAll({ attributes: ['id', 'name', 'role', 'departmentId'], raw: true })).map((u) => [u.name, u]));
  for (const r of REPORTS) {
    const u = users.get(r.owner);
    if (!u) continue;
    const sharedDepartmentId = r.visibility === 'shared' && u.role !== 'admin' ? u.departmentId : null;
    await m.SavedReport.create({ ownerId: u.id, name: r.name, visibility: r.visibility, sharedDepartmentId, definition: ReportDefinition.parse(r.definition) });
  }
}
