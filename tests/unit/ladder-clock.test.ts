// The ladder's time rules, table-driven: business days, quiet hours, step cutoffs, next send time,
// and where an occurrence's clock starts.
import { describe, expect, it } from 'vitest';
import { inQuietHours, isBusinessDay, maySendAt, nextSendTime, stepCutoff, subtractBusinessDays } from '../../server/src/modules/ladder/ladder.clock';
import { occurrenceOf } from '../../server/src/modules/ladder/ladder.service';

/** Shanghai wall time → epoch ms. */
const sh = (s: string) => Date.parse(`${s}+08:00`);

describe('ladder clock (Asia/Shanghai)', () => {
  it.each([
    ['2026-11-30T10:00:00', true], // Monday
    ['2026-12-04T23:59:00', true], // Friday night
    ['2026-12-05T00:00:00', false], // Saturday
    ['2026-12-06T12:00:00', false], // Sunday
    ['2026-12-07T00:00:00', true], // Monday 00:00 in Shanghai is Sunday 16:00 UTC
  ])('isBusinessDay(%s) = %s', (t, want) => expect(isBusinessDay(sh(t))).toBe(want));

  it.each([
    ['2026-11-30T07:59:59', true],
    ['2026-11-30T08:00:00', false],
    ['2026-11-30T20:59:59', false],
    ['2026-11-30T21:00:00', true],
    ['2026-11-30T03:00:00', true],
  ])('inQuietHours(%s) = %s', (t, want) => expect(inQuietHours(sh(t))).toBe(want));

  it.each([
    ['2026-11-30T10:00:00', true],
    ['2026-11-30T22:00:00', false],
    ['2026-12-05T10:00:00', false],
  ])('maySendAt(%s) = %s', (t, want) => expect(maySendAt(sh(t))).toBe(want));

  it.each([
    ['2026-12-03T10:00:00', 3, '2026-11-30T10:00:00'], // Thu − 3 = Mon
    ['2026-11-30T10:00:00', 1, '2026-11-27T10:00:00'], // Mon − 1 = Fri (weekend skipped)
    ['2026-12-07T10:00:00', 5, '2026-11-30T10:00:00'], // Mon − 5 = Mon a week before
    ['2026-12-09T10:00:00', 7, '2026-11-30T10:00:00'], // Wed − 7 = Mon (9 calendar days)
    ['2026-12-01T10:00:00', 0, '2026-12-01T10:00:00'],
  ])('subtractBusinessDays(%s, %i) = %s', (t, n, want) => expect(subtractBusinessDays(sh(t), n)).toBe(sh(want)));

  it('stepCutoff in hours is plain hours, in business days skips weekends', () => {
    expect(stepCutoff(sh('2026-12-07T10:00:00'), { value: 24, unit: 'hours' })).toBe(sh('2026-12-06T10:00:00'));
    expect(stepCutoff(sh('2026-12-07T10:00:00'), { value: 1, unit: 'business_days' })).toBe(sh('2026-12-04T10:00:00'));
  });

  it.each([
    ['2026-11-30T10:30:00', '2026-11-30T10:30:00'], // may send now
    ['2026-11-30T21:30:00', '2026-12-01T08:00:00'], // evening → next morning
    ['2026-12-04T22:00:00', '2026-12-07T08:00:00'], // Friday night → Monday morning
    ['2026-12-01T03:00:00', '2026-12-01T08:00:00'],
  ])('nextSendTime(%s) = %s', (t, want) => expect(nextSendTime(sh(t))).toBe(sh(want)));
});

describe('occurrenceOf', () => {
  const idle = { trigger: 'idle' as const, subStatus: null };
  const docs = { trigger: 'sub_status' as const, subStatus: 'awaiting_docs' };
  const d = (s: string) => new Date(sh(s));
  it.each([
    ['never followed: assignment', idle, { lastFollowUpAt: null, assignedAt: d('2026-11-30T10:00:00'), subStatus: null, subStatusAt: null }, sh('2026-11-30T10:00:00')],
    ['later follow-up wins', idle, { lastFollowUpAt: d('2026-12-01T09:00:00'), assignedAt: d('2026-11-30T10:00:00'), subStatus: null, subStatusAt: null }, sh('2026-12-01T09:00:00')],
    ['claimed after an old follow-up: the claim', idle, { lastFollowUpAt: d('2026-10-01T09:00:00'), assignedAt: d('2026-11-30T10:00:00'), subStatus: null, subStatusAt: null }, sh('2026-11-30T10:00:00')],
    ['nothing to wait on', idle, { lastFollowUpAt: null, assignedAt: null, subStatus: null, subStatusAt: null }, null],
    ['sub-status set', docs, { lastFollowUpAt: null, assignedAt: null, subStatus: 'awaiting_docs', subStatusAt: d('2026-11-30T10:00:00') }, sh('2026-11-30T10:00:00')],
    ['other sub-status', docs, { lastFollowUpAt: null, assignedAt: null, subStatus: null, subStatusAt: d('2026-11-30T10:00:00') }, null],
  ])('%s', (_n, step, c, want) => expect(occurrenceOf(step, c)).toBe(want));
});
