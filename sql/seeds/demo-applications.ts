// Demo applications (进件) so the 审批 tab has something in every box: for the demo customers
// already 审批中, their officers submit an application through the real service and the demo
// approvers act on some of them — waiting at the team lead, waiting at risk, approved, rejected.
// Deterministic (customers in id order); no bot messages are written for them.
import type { Deps } from '../../server/src/deps';
import type { Actor } from '../../server/src/http/context';
import type { Collateral } from '../../server/src/contracts/catalog';
import { createCustomerService } from '../../server/src/modules/customers/customer.service';
import { createApplicationModule } from '../../server/src/modules/applications/application.module';
import { noopNotifier } from '../../server/src/modules/approvals/approval.notifier';

const PRODUCTS: Record<Collateral, string> = { house: '房抵贷', vehicle: '车抵贷', policy: '保单贷', credit: '信用贷', other: '经营贷' };

export async function seedDemoApplications(deps: Deps, max = 12) {
  const m = deps.db.models;
  const customers = createCustomerService(deps);
  const { applications } = createApplicationModule(deps, customers, { notifier: noopNotifier });
  const users = await m.User.findAll({ raw: true });
  const actor = (id: number): Actor => {
    const u = users.find((x) => x.id === id)!;
    return { id: u.id, name: u.name, role: u.role, departmentId: u.departmentId };
  };
  const byName = (name: string) => users.find((u) => u.name === name)!;
  const officers = new Set(users.filter((u) => u.role === 'officer').map((u) => u.id));
  const rows = (await m.Customer.findAll({ where: { stage: 'under_approval' }, order: [['id', 'ASC']] })).filter((c) => c.ownerId !== null && officers.has(c.ownerId));

  let n = 0;
  for (const c of rows.slice(0, max)) {
    const owner = actor(c.ownerId!);
    const rc = { actor: owner, ip: null };
    const app = await applications.create(rc, {
      customerId: Number(c.id),
      product: PRODUCTS[c.collateral ?? 'other'],
      amountFen: Number(c.loanAmountFen ?? 10_000_000),
      termMonths: c.loanTermMonths ?? 36,
      purpose: c.loanPurpose ?? '资金周转',
      repaymentMethod: n % 2 ? 'equal_principal' : 'equal_installment',
      collateral: c.collateral ?? undefined,
      remarks: n % 3 === 0 ? '客户资料齐全,已面签' : undefined,
      submit: true,
    });
    const lead = users.find((u) => u.id === users.find((x) => x.id === owner.id)!.supervisorId);
    const as = (u: { id: number }) => ({ actor: actor(u.id), ip: null });
    const step = n % 4;
    if (step >= 1 && lead) await applications.decide(as(lead), { applicationId: app.id, action: 'approve', comment: '客户情况属实,同意' });
    if (step === 2) {
      await applications.decide(as(byName('李娜')), { applicationId: app.id, action: 'approve', comment: '征信良好,负债率合理' });
      const detail = await applications.get(as(byName('王敏')), app.id);
      if (detail.status === 'pending') await applications.decide(as(byName('陈刚')), { applicationId: app.id, action: 'approve' });
    }
    if (step === 3) await applications.decide(as(byName('赵磊')), { applicationId: app.id, action: 'reject', comment: '近半年征信查询次数过多,负债率偏高' });
    n++;
  }
  return n;
}
