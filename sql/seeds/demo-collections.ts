// Demo 催收 and 返佣 (C19, C20): a few commission rules, accruals for loans already seeded before
// the rules existed, the overdue pass for today, and collection records on the worst overdue loans
// (one with a promise already broken, so its owner has a 催收 task). Works on whatever loans the
// demo holds; with none it seeds the rules only.
import { Op } from 'sequelize';
import type { Deps } from '../../server/src/deps';
import { addDays, shanghaiDate } from '../../server/src/contracts/dates';
import { accrueLoan } from '../../server/src/modules/commissions/commission.service';
import { createOverdueService } from '../../server/src/modules/collections/overdue.service';

export async function seedDemoCollections(deps: Deps, opts: { now?: Date } = {}) {
  const m = deps.db.models;
  const today = shanghaiDate(opts.now ?? new Date());
  if (!(await m.CommissionRule.count())) {
    const from = `${today.slice(0, 4)}-01-01`;
    await m.CommissionRule.bulkCreate([
      { name: '抖音渠道 1.2%', beneficiary: 'channel', channel: 'douyin', kind: 'percent', ratePpm: 12_000, clawbackMonths: 6, validFrom: from, priority: 0, enabled: true },
      { name: '百度推广 月量阶梯', beneficiary: 'channel', channel: 'baidu', kind: 'tiered', tiers: [{ minVolumeFen: 0, ratePpm: 8_000 }, { minVolumeFen: 100_000_000, ratePpm: 10_000 }, { minVolumeFen: 500_000_000, ratePpm: 12_000 }], clawbackMonths: 3, validFrom: from, priority: 0, enabled: true },
      { name: '合作机构·融通 每笔 800 元', beneficiary: 'channel', channel: 'partner_rongtong', kind: 'fixed', fixedFen: 80_000, validFrom: from, priority: 0, enabled: true },
      { name: '其他渠道 0.5%', beneficiary: 'channel', channel: null, kind: 'percent', ratePpm: 5_000, validFrom: from, priority: 0, enabled: true },
      { name: '信贷员激励 每笔 300 元', beneficiary: 'officer', channel: null, kind: 'fixed', fixedFen: 30_000, clawbackMonths: 3, validFrom: from, priority: 0, enabled: true },
    ]);
  }
  // Loans seeded before the rules existed accrue now, in disbursement order (tiers read the month so far).
  const loans = await m.Loan.findAll({ attributes: ['id'], where: { status: { [Op.ne]: 'reversed' } }, order: [['disbursedOn', 'ASC'], ['id', 'ASC']], raw: true });
  await deps.db.transaction(async (t) => {
    for (const l of loans) await accrueLoan(deps, Number(l.id), t);
  });
  if (!loans.length) return;

  const overdue = createOverdueService(deps);
  await overdue.run({ today });
  if (await m.CollectionRecord.count()) return;
  const worst = await m.Loan.findAll({ where: { status: 'active', daysPastDue: { [Op.gt]: 0 } }, order: [['daysPastDue', 'DESC'], ['id', 'ASC']], limit: 5 });
  const RESULTS = ['客户接听,称生意周转困难,月底前先还一期', '无人接听,已发短信提醒', '上门见到本人,答应下周还款', '客户关机,联系紧急联系人', '已移交委外机构跟进'];
  const ACTIONS = ['phone', 'sms', 'visit', 'phone', 'outsource'] as const;
  for (const [i, l] of worst.entries()) {
    const by = l.ownerId ?? 1;
    const broken = i === 0; // promised a week ago for three days ago, unpaid: the pass turns it into a task
    await m.CollectionRecord.create({
      loanId: Number(l.id), customerId: Number(l.customerId), action: ACTIONS[i]!, result: RESULTS[i]!, recordedOn: addDays(today, broken ? -7 : -1), daysPastDue: l.daysPastDue,
      promiseDate: broken ? addDays(today, -3) : i === 2 ? addDays(today, 5) : null, promiseAmountFen: broken ? 300_000 : i === 2 ? 500_000 : null,
      promiseStatus: broken || i === 2 ? 'pending' : null, nextActionOn: addDays(today, i + 1), createdBy: by,
    });
  }
  await overdue.run({ today });
}
