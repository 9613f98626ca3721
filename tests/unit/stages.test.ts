// The stage transition table (C5): what may follow what.
import { describe, expect, it } from 'vitest';
import { canTransition, OPEN_STAGES, STAGE_FLOW, STAGE_KEYS, STAGE_TRANSITIONS, STAGES, type Stage } from '../../server/src/contracts/stages';

describe('canTransition', () => {
  // Every pair, as the table reads: [from, to, allowed].
  const table: [Stage, Stage[]][] = [
    ['lead', ['intent', 'lost']],
    ['intent', ['due_diligence', 'lead', 'lost']],
    ['due_diligence', ['under_approval', 'intent', 'lost']],
    ['under_approval', ['signed', 'due_diligence', 'lost']],
    ['signed', ['disbursed', 'lost']],
    ['disbursed', ['repaying', 'bad_debt']],
    ['repaying', ['settled', 'bad_debt']],
    ['settled', []],
    ['bad_debt', ['settled']],
    ['lost', ['lead']],
  ];
  for (const [from, allowed] of table) {
    for (const to of STAGE_KEYS) {
      const ok = allowed.includes(to);
      it(`${from} → ${to}: ${ok ? 'allowed' : 'refused'}`, () => expect(canTransition(from, to)).toBe(ok));
    }
  }

  it('the table above is the whole table', () => {
    expect(Object.fromEntries(table)).toEqual(STAGE_TRANSITIONS);
    expect(Object.keys(STAGES)).toEqual(STAGE_KEYS);
  });

  it('the main line moves forward one step at a time and never skips', () => {
    for (let i = 0; i + 1 < STAGE_FLOW.length; i++) {
      expect(canTransition(STAGE_FLOW[i], STAGE_FLOW[i + 1])).toBe(true);
      for (let j = i + 2; j < STAGE_FLOW.length; j++) expect(canTransition(STAGE_FLOW[i], STAGE_FLOW[j])).toBe(false);
    }
  });

  it('no stage moves to itself; once money has moved there is no way back or out to lost', () => {
    for (const s of STAGE_KEYS) expect(canTransition(s, s)).toBe(false);
    for (const s of ['disbursed', 'repaying', 'settled', 'bad_debt'] as Stage[]) {
      expect(canTransition(s, 'lost')).toBe(false);
      for (const early of ['lead', 'intent', 'due_diligence', 'under_approval', 'signed'] as Stage[]) expect(canTransition(s, early)).toBe(false);
    }
  });

  it('every stage is reachable from lead', () => {
    const seen = new Set<Stage>(['lead']);
    const queue: Stage[] = ['lead'];
    while (queue.length) for (const n of STAGE_TRANSITIONS[queue.shift()!]) if (!seen.has(n)) seen.add(n), queue.push(n);
    expect([...seen].sort()).toEqual([...STAGE_KEYS].sort());
  });

  it('open stages are those before the money moves', () => {
    expect(OPEN_STAGES).toEqual(['lead', 'intent', 'due_diligence', 'under_approval', 'signed']);
  });
});
