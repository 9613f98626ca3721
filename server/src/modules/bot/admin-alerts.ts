// Admin alerts: things only an admin can fix (an untrusted server IP, a removed robot, a dead
// letter…). One open alert per cause: raising the same cause again bumps its count and refreshes
// its message instead of piling up rows. Anything in the server or the bot may raise one.
import { Op, type Transaction } from 'sequelize';
import type { Models } from '../../db/models';

export interface AlertInput {
  kind: string;
  /** The cause; alerts with the same key and no resolution are one alert. */
  dedupeKey: string;
  /** Chinese, for the admin page. */
  message: string;
  details?: Record<string, unknown> | null;
}

export async function raiseAdminAlert(models: Pick<Models, 'AdminAlert'>, a: AlertInput, opts: { now?: () => number; transaction?: Transaction } = {}) {
  const at = new Date((opts.now ?? Date.now)());
  const dedupeKey = a.dedupeKey.slice(0, 191);
  const message = a.message.slice(0, 500);
  const sequelize = models.AdminAlert.sequelize!;
  const count = sequelize.getQueryInterface().quoteIdentifier('count');
  const [bumped] = await models.AdminAlert.update(
    { count: sequelize.literal(`${count} + 1`) as unknown as number, message, details: a.details ?? null, updatedAt: at },
    { where: { dedupeKey, resolvedAt: { [Op.is]: null } }, transaction: opts.transaction, silent: true },
  );
  if (bumped > 0) return;
  await models.AdminAlert.create({ kind: a.kind.slice(0, 48), dedupeKey, message, details: a.details ?? null, count: 1, createdAt: at, updatedAt: at }, { transaction: opts.transaction });
}
