// Demo 已冲正 (C16): one of the freshly disbursed demo loans, entered by mistake, has its
// disbursement reversed through the loans service (a reversal entry, never an edit in place), so the
// 贷款台账 shows that state too; its customer goes back to 已签约 and the application can be disbursed
// again. Runs after 催收/返佣 seeds so the commission subscriber takes its accrual back.
import { Op } from 'sequelize';
import type { Deps } from '../../server/src/deps';
import type { Actor } from '../../server/src/http/context';
import { createCustomerService } from '../../server/src/modules/customers/customer.service';
import { createLoanService } from '../../server/src/modules/loans/loan.service';

export async function seedDemoLoanStates(deps: Deps) {
  const m = deps.db.models;
  if (await m.Loan.count({ where: { status: 'reversed' } })) return;
  const finance = await m.User.findOne({ where: { role: 'finance' }, raw: true });
  if (!finance) return;
  const rc = { actor: { id: finance.id, name: finance.name, role: finance.role, departmentId: finance.departmentId } as Actor, ip: null };
  const paid = (await m.LoanEntry.findAll({ attributes: ['loanId'], where: { kind: { [Op.in]: ['payment', 'early_settlement'] } }, raw: true })).map((e) => Number(e.loanId));
  const loan = await m.Loan.findOne({ where: { status: 'active', ...(paid.length ? { id: { [Op.notIn]: paid } } : {}) }, order: [['id', 'DESC']] });
  if (!loan) return;
  const entry = await m.LoanEntry.findOne({ where: { loanId: loan.id, kind: 'disbursement' } });
  if (!entry) return;
  await createLoanService(deps, createCustomerService(deps)).reverse(rc, Number(loan.id), Number(entry.id), '借据号录入错误,放款登记冲正');
}
