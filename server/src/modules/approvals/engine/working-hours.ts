// Working-hours arithmetic for approval SLAs: Monday to Friday, 09:00–18:00 Asia/Shanghai
// (UTC+8, no daylight saving). Public holidays and 调休 make-up workdays are not modelled yet.
const OFFSET_MS = 8 * 3600_000;
const HOUR = 3600_000;
const DAY = 24 * HOUR;
export const WORK_START_HOUR = 9;
export const WORK_END_HOUR = 18;

/** Shanghai wall-clock milliseconds (as if UTC) → its day start and parts. */
function wall(ms: number) {
  const dayStart = Math.floor(ms / DAY) * DAY;
  const weekday = new Date(dayStart).getUTCDay(); // 0 Sunday … 6 Saturday
  return { dayStart, weekday, msOfDay: ms - dayStart };
}

const isWorkday = (weekday: number) => weekday >= 1 && weekday <= 5;

/** The first working instant at or after `ms` (wall clock). */
function nextWorkingInstant(ms: number): number {
  let cur = ms;
  for (;;) {
    const w = wall(cur);
    if (isWorkday(w.weekday)) {
      if (w.msOfDay < WORK_START_HOUR * HOUR) return w.dayStart + WORK_START_HOUR * HOUR;
      if (w.msOfDay < WORK_END_HOUR * HOUR) return cur;
    }
    cur = w.dayStart + DAY; // next day, 00:00
  }
}

export function isWorkingTime(at: Date): boolean {
  const ms = at.getTime() + OFFSET_MS;
  return nextWorkingInstant(ms) === ms;
}

/** `start` plus `hours` of working time: 2 working hours from Friday 17:00 is Monday 10:00. */
export function addWorkingHours(start: Date, hours: number): Date {
  let remaining = Math.round(hours * HOUR);
  let cur = nextWorkingInstant(start.getTime() + OFFSET_MS);
  for (;;) {
    const w = wall(cur);
    const left = w.dayStart + WORK_END_HOUR * HOUR - cur;
    if (remaining <= left) return new Date(cur + remaining - OFFSET_MS);
    remaining -= left;
    cur = nextWorkingInstant(w.dayStart + DAY);
  }
}
