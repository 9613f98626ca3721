// The SMS sending window (SMS_ALLOWED_HOURS, Asia/Shanghai): a message never goes outside it; a
// message that waits for the window (or for tomorrow after a per-number daily cap) waits for its
// next opening. Pure functions over epoch ms; Shanghai has no DST, so +8 h is exact.
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

export interface SmsWindow {
  allowedFromMinute: number;
  allowedToMinute: number;
}

export function shanghaiMinuteOfDay(ms: number): number {
  return Math.floor((((ms + SHANGHAI_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS / 60_000);
}

export function withinSmsHours(ms: number, w: SmsWindow): boolean {
  const m = shanghaiMinuteOfDay(ms);
  return m >= w.allowedFromMinute && m < w.allowedToMinute;
}

/** The next opening of the window strictly after the current Shanghai day (tomorrow's start). */
export function tomorrowsOpening(ms: number, w: SmsWindow): number {
  const dayStart = Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS;
  return dayStart + DAY_MS + w.allowedFromMinute * 60_000;
}

/** Now if inside the window, else its next opening (today's if still ahead, else tomorrow's). */
export function nextOpening(ms: number, w: SmsWindow): number {
  if (withinSmsHours(ms, w)) return ms;
  const dayStart = Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS;
  const todayOpen = dayStart + w.allowedFromMinute * 60_000;
  return ms < todayOpen ? todayOpen : todayOpen + DAY_MS;
}
