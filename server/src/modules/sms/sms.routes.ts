// SMS endpoints: the customer's messages and opt-out (scoped like the customer), and the admin's
// log, settings and resend (sms.manage).
import { z } from 'zod';
import { route, IdParams, type RouteDef } from '../../http/route';
import { ListSms, SetSmsOptOut } from '../../contracts/sms';
import type { CustomerService } from '../customers/customer.service';
import type { SmsService } from './sms.service';
import type { Db } from '../../db/connection';

export function smsRoutes(sms: SmsService, customers: CustomerService, db: Db): RouteDef[] {
  return [
    route({
      method: 'get', path: '/customers/:id/sms', tag: 'sms', summary: '客户的短信记录与退订状态', params: IdParams,
      handler: async ({ rc, params }) => {
        await customers.findInScope(rc.actor, params.id, 'read');
        return sms.forCustomer(params.id);
      },
    }),
    route({
      method: 'put', path: '/customers/:id/sms-opt-out', tag: 'sms', summary: '客户退订/恢复短信提醒(留痕)', permission: 'customer.update', params: IdParams, body: SetSmsOptOut,
      handler: ({ rc, params, body }) =>
        db.transaction(async (t) => {
          await customers.findInScope(rc.actor, params.id, 'write', t);
          return sms.setOptOut(rc, params.id, body.optOut, t);
        }),
    }),
    route({ method: 'get', path: '/admin/sms', tag: 'sms', summary: '短信发送记录', permission: 'sms.manage', query: ListSms, handler: ({ query }) => sms.list(query) }),
    route({ method: 'get', path: '/admin/sms/settings', tag: 'sms', summary: '短信服务商与模板(来自配置)', permission: 'sms.manage', handler: () => sms.settings() }),
    route({ method: 'post', path: '/admin/sms/:id/resend', tag: 'sms', summary: '重发失败/号码无效的短信(留痕)', permission: 'sms.manage', params: IdParams, body: z.object({}), handler: ({ rc, params }) => sms.resend(rc, params.id) }),
  ];
}
