// 匹配产品 and contract rendering, in process (no database): how long matching takes over a
// catalogue of N products with several eligibility conditions each, and how long filling the
// sample .docx template takes for a 12- and a 360-month schedule. Prints figures; not a test.
//   npx tsx bench/contracts.ts [--products 200] [--rounds 2000]
import { performance } from 'node:perf_hooks';
import { matchProducts } from '../server/src/modules/products/matching';
import { renderTemplate } from '../server/src/modules/contracts/contract.render';
import { buildSchedule } from '../server/src/modules/loans/schedule';
import { fenToChineseCapital } from '../server/src/contracts/chinese-capital';
import { formatFen } from '../server/src/contracts/money';
import { idCheckChar } from '../server/src/contracts/identity';
import { sampleContractTemplate } from '../sql/seeds/contract-template';
import type { RuleGroup } from '../server/src/contracts/rules';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('products', 200);
const ROUNDS = arg('rounds', 2000);

const eligibility: RuleGroup = {
  match: 'all',
  conditions: [
    { field: 'customer.idNumber', op: 'age_from_id', value: { min: 22, max: 60 } },
    { field: 'customer.monthlyIncomeFen', op: 'gte', value: 800_000 },
    { field: 'customer.city', op: 'matches_region', value: ['杭州', '苏州', '上海'] },
    { field: 'customer.creditStatus', op: 'in', value: ['good', 'minor_overdue'] },
    { match: 'any', conditions: [{ field: 'customer.collateral', op: 'eq', value: 'house' }, { field: 'customer.occupation', op: 'eq', value: 'civil_servant' }] },
  ],
};
const products = Array.from({ length: N }, (_, i) => ({
  id: i + 1, rateMinPpm: 30_000 + (i % 50) * 1_000, amountMinFen: 1_000_000 * (1 + (i % 5)), amountMaxFen: 100_000_000 * (1 + (i % 7)),
  termMinMonths: 6, termMaxMonths: 12 * (1 + (i % 10)), repaymentMethods: ['equal_installment' as const], eligibility, sortOrder: i,
}));
const first17 = '33010619880512318';
const facts = {
  'customer.idNumber': first17 + idCheckChar(first17), 'customer.monthlyIncomeFen': 1_200_000, 'customer.city': '杭州',
  'customer.creditStatus': 'good', 'customer.collateral': 'house', 'customer.occupation': 'employee',
};

function time(label: string, rounds: number, fn: () => void) {
  fn(); // warm up
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) fn();
  const ms = (performance.now() - t0) / rounds;
  console.log(`${label.padEnd(48)} ${ms.toFixed(3)} ms`);
}

time(`matchProducts: ${N} products × 6 conditions`, Math.max(10, Math.round(ROUNDS / 10)), () => void matchProducts(products, facts, { amountFen: 30_000_000, termMonths: 24, repaymentMethod: null }));
const template = sampleContractTemplate();
for (const term of [12, 360]) {
  time(`fill the sample .docx, ${term}-month schedule`, term === 12 ? 200 : 50, () => {
    const s = buildSchedule({ principalFen: 30_000_000, termMonths: term, method: 'equal_installment', firstDueOn: '2026-12-23', annualRatePpm: 72_000 });
    let left = 30_000_000;
    renderTemplate(template, {
      contractNo: 'HT1', customerName: '李雷', amount: formatFen(30_000_000), amountCapital: fenToChineseCapital(30_000_000),
      schedule: s.map((i) => ((left -= i.principalFen), { seq: i.seq, dueDate: i.dueOn, principal: formatFen(i.principalFen), interest: formatFen(i.interestFen), payment: formatFen(i.principalFen + i.interestFen), remaining: formatFen(left) })),
    });
  });
}
time('fenToChineseCapital', ROUNDS * 10, () => void fenToChineseCapital(123_456_789));
