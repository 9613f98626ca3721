// The Chinese text of each purpose: what the console provider logs and what the log shows next to
// the provider's template code (the provider renders its own approved template from the params).
import type { SmsPurpose } from '../../contracts/sms';

const TEXTS: Record<SmsPurpose, (v: Record<string, string>) => string> = {
  repayment_due: (v) => `【信贷CRM】${v.name}您好,您的贷款第${v.seq}期应还 ${v.amount} 元将于 ${v.dueDate} 到期,请按时还款。如已还款请忽略。`,
  overdue: (v) => `【信贷CRM】${v.name}您好,您的贷款第${v.seq}期应还 ${v.amount} 元已于 ${v.dueDate} 到期未还,请尽快还款,以免产生罚息、影响征信。如已还款请忽略。`,
  missing_documents: (v) => `【信贷CRM】${v.name}您好,您的贷款申请还缺少部分资料,请尽快与您的客户经理联系补充。`,
};

export function renderSmsText(purpose: SmsPurpose, vars: Record<string, string>): string {
  return TEXTS[purpose](vars).slice(0, 500);
}
