// Collection endpoints: the overdue list (催收), a loan's records, adding one, and write-off.
import { route, IdParams, type RouteDef } from '../../http/route';
import { ListOverdue, RecordCollection, WriteOffLoan } from '../../contracts/collections';
import type { CollectionService } from './collection.service';

export function collectionRoutes(c: CollectionService): RouteDef[] {
  return [
    route({ method: 'get', path: '/collections/overdue', tag: 'collections', summary: '逾期贷款(按逾期天数从高到低,可按分组、团队、信贷员筛选)', query: ListOverdue, handler: ({ rc, query }) => c.listOverdue(rc, query) }),
    route({ method: 'get', path: '/collections/loans/:id', tag: 'collections', summary: '贷款的逾期情况与催收记录', params: IdParams, handler: ({ rc, params }) => c.loanDetail(rc, params.id) }),
    route({ method: 'post', path: '/collections/loans/:id/records', tag: 'collections', summary: '新增催收记录(可含承诺还款)', permission: 'collection.record', status: 201, params: IdParams, body: RecordCollection, handler: ({ rc, params, body }) => c.record(rc, params.id, body) }),
    route({ method: 'post', path: '/loans/:id/write-off', tag: 'collections', summary: '核销贷款(坏账)', permission: 'loan.write_off', params: IdParams, body: WriteOffLoan, handler: ({ rc, params, body }) => c.writeOff(rc, params.id, body) }),
  ];
}
