// Leave dates (Asia/Shanghai business dates, inclusive) and the badge text shown where staff are listed.
import { describe, expect, it } from 'vitest';
import { leaveLabel, onLeaveOn, SetLeave } from '../../server/src/contracts/leave';

const u = (onLeave: boolean, leaveFrom: string | null = null, leaveUntil: string | null = null) => ({ onLeave, leaveFrom, leaveUntil });

describe('onLeaveOn', () => {
  it.each([
    [u(false), '2026-11-24', false],
    [u(true), '2026-11-24', true],
    [u(true, '2026-11-24', '2026-11-25'), '2026-11-23', false],
    [u(true, '2026-11-24', '2026-11-25'), '2026-11-24', true],
    [u(true, '2026-11-24', '2026-11-25'), '2026-11-25', true],
    [u(true, '2026-11-24', '2026-11-25'), '2026-11-26', false],
    [u(true, '2026-11-24'), '2027-01-01', true],
    [u(true, null, '2026-11-25'), '2026-11-01', true],
    [u(true, null, '2026-11-25'), '2026-11-26', false],
  ])('%o on %s → %s', (x, day, expected) => expect(onLeaveOn(x, day)).toBe(expected));
});

describe('leaveLabel', () => {
  it.each([
    [u(false), null],
    [u(true), '休假中'],
    [u(true, '2026-11-24', '2026-11-24'), '休假中 11-24'],
    [u(true, '2026-11-25', '2026-11-28'), '将休假 11-25–11-28'],
    [u(true, '2026-11-20', '2026-11-23'), null], // over
    [u(true, '2026-11-24'), '休假中 11-24 起'],
    [u(true, null, '2026-11-30'), '休假中 至 11-30'],
  ])('%o → %s (today 2026-11-24)', (x, expected) => expect(leaveLabel(x, '2026-11-24')).toBe(expected));
});

describe('SetLeave', () => {
  it('accepts a range, one day, none; refuses an end before the start and impossible dates', () => {
    expect(SetLeave.safeParse({ onLeave: true, leaveFrom: '2026-11-24', leaveUntil: '2026-11-24' }).success).toBe(true);
    expect(SetLeave.safeParse({ onLeave: false }).success).toBe(true);
    const bad = SetLeave.safeParse({ onLeave: true, leaveFrom: '2026-11-25', leaveUntil: '2026-11-24' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]).toMatchObject({ path: ['leaveUntil'], message: '结束日期不能早于开始日期' });
    expect(SetLeave.safeParse({ onLeave: true, leaveFrom: '2026-02-29' }).success).toBe(false);
  });
});
