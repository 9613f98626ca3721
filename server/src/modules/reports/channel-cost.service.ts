// Channel cost per month (C21 channel ROI): what was spent on a lead source, entered by finance.
import type { Deps } from '../../deps';
import type { RequestContext } from '../../http/context';
import type { ChannelCost, ChannelCostInput } from '../../contracts/reports';
import { AppError } from '../../http/errors';
import { asDate, exec, query, stamp } from './report.sql';

interface CostRow {
  channel: string;
  month: string;
  cost_fen: number | string;
  note: string | null;
  updated_at: unknown;
}

export function createChannelCostService(deps: Deps) {
  const { db, audit } = deps;
  const view = (r: CostRow): ChannelCost => ({ channel: r.channel, month: r.month, costFen: Number(r.cost_fen), note: r.note ?? undefined, updatedAt: asDate(r.updated_at)!.toISOString() });
  return {
    async list(): Promise<{ items: ChannelCost[] }> {
      const rows = await query<CostRow>(db, 'SELECT channel, month, cost_fen, note, updated_at FROM channel_costs ORDER BY month DESC, channel');
      return { items: rows.map(view) };
    },
    /** Sets (not adds) the month's cost for a channel; audited with the previous value. */
    async upsert(rc: RequestContext, input: ChannelCostInput): Promise<ChannelCost> {
      const channel = await db.models.Channel.findOne({ where: { code: input.channel } });
      if (!channel) throw new AppError(422, 'UNKNOWN_CHANNEL');
      return db.transaction(async (t) => {
        const [before] = await query<CostRow>(db, 'SELECT channel, month, cost_fen, note, updated_at FROM channel_costs WHERE channel = ? AND month = ?', [input.channel, input.month], t);
        const now = stamp(new Date());
        if (before) {
          await exec(db, 'UPDATE channel_costs SET cost_fen = ?, note = ?, updated_by = ?, updated_at = ? WHERE channel = ? AND month = ?', [input.costFen, input.note ?? null, rc.actor.id, now, input.channel, input.month], t);
        } else {
          await exec(db, 'INSERT INTO channel_costs (channel, month, cost_fen, note, updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [input.channel, input.month, input.costFen, input.note ?? null, rc.actor.id, now, now], t);
        }
        await audit.record(rc, { action: 'update', entityType: 'channel_cost', entityId: `${input.channel}:${input.month}`, before: before ? { costFen: Number(before.cost_fen) } : null, after: { costFen: input.costFen } }, t);
        const [row] = await query<CostRow>(db, 'SELECT channel, month, cost_fen, note, updated_at FROM channel_costs WHERE channel = ? AND month = ?', [input.channel, input.month], t);
        return view(row!);
      });
    },
  };
}
export type ChannelCostService = ReturnType<typeof createChannelCostService>;
