// Chart pictures of the daily summary kept for DingTalk group robots, whose markdown can show a
// picture only by URL: each team's PNG of the day is stored once under an unguessable token
// (24 random bytes) and served without sign-in at /api/v1/public/summary-charts/<token>.png until
// it expires (7 days: the chat keeps showing it for the week, then the link goes dead and the row
// is removed by the next run). The picture holds what the group message itself says (names and
// counts of the team), nothing more. One row per day and team, so a rerun reuses the first token.
import crypto from 'node:crypto';
import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../../../db/connection';
import { dayBounds } from './summary.data';

export const CHART_TTL_DAYS = 7;
export const CHART_PATH = '/api/v1/public/summary-charts';
export const CHART_FILE = /^([A-Za-z0-9_-]{32})\.png$/;

/** Stores the team's chart for the day unless one exists; returns the token to link to. */
export async function storeChart(db: Db, t: Transaction | null, day: string, departmentId: number, png: Buffer, now: Date): Promise<string> {
  const ignore = db.dialect === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
  const expires = new Date(dayBounds(day).to.getTime() + CHART_TTL_DAYS * 86_400_000);
  await db.sequelize.query(`${ignore} INTO daily_summary_charts (day, department_id, token, png, md5, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, {
    replacements: [day, departmentId, crypto.randomBytes(24).toString('base64url'), png, crypto.createHash('md5').update(png).digest('hex'), expires, now],
    transaction: t ?? undefined,
  });
  const [row] = await db.sequelize.query<{ token: string }>('SELECT token FROM daily_summary_charts WHERE day = ? AND department_id = ?', { replacements: [day, departmentId], type: QueryTypes.SELECT, transaction: t ?? undefined });
  return row!.token;
}

/** The PNG behind a token, or null when unknown or expired. */
export async function loadChart(db: Db, token: string, now: Date): Promise<Buffer | null> {
  const [row] = await db.sequelize.query<{ png: Buffer | Uint8Array; expires_at: unknown }>('SELECT png, expires_at FROM daily_summary_charts WHERE token = ? AND expires_at > ?', {
    replacements: [token, now],
    type: QueryTypes.SELECT,
  });
  return row ? Buffer.from(row.png) : null;
}

export async function deleteExpiredCharts(db: Db, t: Transaction | null, now: Date): Promise<void> {
  await db.sequelize.query('DELETE FROM daily_summary_charts WHERE expires_at <= ?', { replacements: [now], transaction: t ?? undefined });
}
