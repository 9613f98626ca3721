// npx tsx bench/schedule.ts — how fast the exact (BigInt) repayment schedule is, per method and
// term, so a page that lists schedules or a contract that prints one never waits on it. Prints
// figures; asserts nothing (speed targets live here, not in tests).
import { buildSchedule } from '../server/src/modules/loans/schedule';
import type { RepaymentMethod } from '../server/src/contracts/loans';

const METHODS: RepaymentMethod[] = ['equal_installment', 'equal_principal', 'interest_first', 'bullet'];
const N = 2_000;
console.log(`buildSchedule, ${N} loans per row (distinct amounts and rates), node ${process.version}`);
console.log('method             term  total ms  µs/loan');
for (const method of METHODS) {
  for (const termMonths of [12, 36, 360]) {
    buildSchedule({ principalFen: 1_000_000, annualRatePpm: 60_000, termMonths, method, firstDueOn: '2026-01-31' }); // warm-up
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      buildSchedule({ principalFen: 10_000_000 + i * 137, annualRatePpm: 36_000 + i, termMonths, method, firstDueOn: '2026-01-31' });
    }
    const ms = performance.now() - t0;
    console.log(`${method.padEnd(18)} ${String(termMonths).padStart(4)}  ${ms.toFixed(0).padStart(8)}  ${((ms * 1000) / N).toFixed(0).padStart(7)}`);
  }
}
