// The 风控预检 line of approval cards: present only when a check ran, short enough for a WeCom
// card field (26 characters), naming the rules that did not pass and who overrode a rejection.
import { describe, expect, it } from 'vitest';
import { taskNotice, type NoticeApp } from '../../server/src/modules/approvals/approval.notices';
import { riskCardSummary } from '../../server/src/modules/risk/risk.evaluate';
import type { RiskCheckResult, RiskLevel, RiskRuleKind } from '../../server/src/contracts/risk';

const app: NoticeApp = { id: 7, product: '房抵贷', amountFen: 30_000_000, termMonths: 36, customerName: '王小明', applicantName: '张伟', submittedAt: new Date('2026-11-23T02:00:00Z') };
const result = (flags: [RiskRuleKind, string, RiskLevel][], total = 7): RiskCheckResult => ({
  level: flags.some((f) => f[2] === 'reject') ? 'reject' : flags.length ? 'warn' : 'pass',
  businessDate: '2026-11-23',
  results: [...flags.map(([kind, name, level]) => ({ kind, name, level, reason: 'x' })), ...Array.from({ length: total - flags.length }, () => ({ kind: 'mobile_format' as const, name: '手机号格式', level: 'pass' as const, reason: 'ok' }))],
});

describe('riskCardSummary', () => {
  it.each([
    [result([]), null, '通过(7 项)'],
    [result([['dti', '负债收入比', 'warn'], ['required_documents', '必备资料', 'warn']]), null, '提示:负债收入比、必备资料'],
    [result([['age_range', '年龄范围', 'reject']]), { userName: '李娜' }, '拒绝(李娜放行):年龄范围'],
    [result([['id_number', '身份证号校验', 'reject'], ['age_range', '年龄范围', 'reject'], ['dti', '负债收入比', 'warn'], ['multi_apply', '多头申请', 'warn']]), null, '拒绝:身份证号校验、年龄范围、负债收入比、多头申请'], // 25 characters: fits
    [result([['id_number', '身份证号校验', 'reject'], ['age_range', '年龄范围', 'reject'], ['dti', '负债收入比', 'warn'], ['multi_apply', '多头申请', 'warn'], ['required_documents', '必备资料', 'warn']]), null, '拒绝:身份证号校验等 5 项'],
  ])('%#: %s', (r, override, expected) => {
    const line = riskCardSummary(r, override);
    expect(line).toBe(expected);
    expect([...line].length).toBeLessThanOrEqual(26);
  });
});

describe('the approval card', () => {
  it('carries a 风控预检 field when a check ran, after the submission time', () => {
    const fields = taskNotice({ ...app, risk: '提示:必备资料' }, { id: 1, assigneeId: 2, nodeName: '团队主管审批' }).payload.fields!;
    expect(fields.map((f) => f.label)).toEqual(['客户', '金额', '期限', '信贷员', '提交时间', '风控预检']);
    expect(fields[5].value).toBe('提示:必备资料');
  });

  it('has no such field for applications submitted before checks existed', () => {
    const fields = taskNotice({ ...app, risk: null }, { id: 1, assigneeId: 2, nodeName: '团队主管审批' }).payload.fields!;
    expect(fields.map((f) => f.label)).not.toContain('风控预检');
  });
});
