// Time rules of the follow-up ladder, as pure functions over epoch milliseconds in Asia/Shanghai
// (UTC+8, no daylight saving): business days (Mon–Fri), quiet hours (no messages 21:00–08:00),
// and a step's cutoff — the latest start of the clock at which the step is due now.
import type { LadderWaitUnit } from './ladder.model';

const SHANGHAI_OFFSET = 8 * 3_600_000;
const DAY = 86_400_000;
const HOUR = 3_600_000;

export const QUIET_HOURS = { from: 21, to: 8 } as const;

function shanghai(t: number) {
  const d = new Date(t + SHANGHAI_OFFSET);
  return { weekday: d.getUTCDay(), hour: d.getUTCHours() };
}

export function isBusinessDay(t: number): boolean {
  const { weekday } = shanghai(t);
  return weekday >= 1 && weekday <= 5;
}

export function inQuietHours(t: number): boolean {
  const { hour } = shanghai(t);
  return hour >= QUIET_HOURS.from || hour < QUIET_HOURS.to;
}

/** Whether the ladder may message people now: a business day, outside quiet hours. */
export function maySendAt(t: number): boolean {
  return isBusinessDay(t) && !inQuietHours(t);
}

/** `t` moved back by `n` business days (each step back a calendar day; weekend days do not count). */
export function subtractBusinessDays(t: number, n: number): number {
  let x = t;
  for (let left = n; left > 0; ) {
    x -= DAY;
    if (isBusinessDay(x)) left--;
  }
  return x;
}

/** A step is due for a customer whose clock started at or before this instant. */
export function stepCutoff(now: number, wait: { value: number; unit: LadderWaitUnit }): number {
  return wait.unit === 'hours' ? now - wait.value * HOUR : subtractBusinessDays(now, wait.value);
}

/** The next instant at or after `t` at which the ladder may send (whole hours, Shanghai time). */
export function nextSendTime(t: number): number {
  let x = t;
  for (let i = 0; i < 24 * 8 && !maySendAt(x); i++) x = Math.floor(x / HOUR) * HOUR + HOUR;
  return x;
}
