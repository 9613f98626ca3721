// Access tokens and JS-SDK tickets: cached until shortly before expiry, refreshed by one caller
// at a time, and shared by every instance through the messenger_tokens table.
//
// In one process, concurrent callers share one in-flight refresh. Across processes, the refresh
// is taken under a short database lease (a conditional UPDATE both MySQL and SQLite do atomically);
// whoever does not hold it polls the row until the new value appears or the lease runs out.
import crypto from 'node:crypto';
import { Op } from 'sequelize';
import type { Models } from '../../db/models';

export interface FetchedToken {
  value: string;
  /** Lifetime in seconds as the provider reported it (expires_in / expireIn). */
  expiresIn: number;
}

export interface TokenStore {
  get(key: string, fetch: () => Promise<FetchedToken>): Promise<string>;
  /** Drops `staleValue` (a provider said it is invalid); a newer value already stored is kept. */
  invalidate(key: string, staleValue: string): Promise<void>;
}

export interface TokenStoreOptions {
  now?: () => number;
  /** Refresh this long before the provider's expiry (reference: 5 minutes). */
  marginMs?: number;
  leaseMs?: number;
  pollMs?: number;
}

export function createTokenStore(models: Pick<Models, 'MessengerToken'>, opts: TokenStoreOptions = {}): TokenStore {
  const { MessengerToken } = models;
  const now = opts.now ?? Date.now;
  const marginMs = opts.marginMs ?? 300_000;
  const leaseMs = opts.leaseMs ?? 15_000;
  const pollMs = opts.pollMs ?? 100;
  const owner = `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const memory = new Map<string, { value: string; expiresAt: number }>();
  const inFlight = new Map<string, Promise<string>>();

  const fresh = (expiresAt: number | null | undefined) => expiresAt != null && expiresAt - marginMs > now();

  async function takeLease(key: string): Promise<boolean> {
    await MessengerToken.bulkCreate([{ tokenKey: key, updatedAt: new Date(now()) }], { ignoreDuplicates: true });
    const [count] = await MessengerToken.update(
      { leaseOwner: owner, leaseUntil: new Date(now() + leaseMs), updatedAt: new Date(now()) },
      { where: { tokenKey: key, [Op.or]: [{ leaseUntil: null }, { leaseUntil: { [Op.lt]: new Date(now()) } }] } },
    );
    return count === 1;
  }

  async function refresh(key: string, fetch: () => Promise<FetchedToken>): Promise<string> {
    const deadline = Date.now() + 2 * leaseMs + 5_000;
    for (;;) {
      const row = await MessengerToken.findByPk(key, { raw: true });
      // Raw rows carry dates as strings on SQLite and as Dates on MySQL.
      const expiresAt = row?.expiresAt ? new Date(row.expiresAt).getTime() : null;
      if (row?.value && fresh(expiresAt)) {
        memory.set(key, { value: row.value, expiresAt: expiresAt! });
        return row.value;
      }
      if (await takeLease(key)) {
        try {
          const got = await fetch();
          const expiresAt = now() + got.expiresIn * 1000;
          await MessengerToken.update(
            { value: got.value, expiresAt: new Date(expiresAt), leaseOwner: null, leaseUntil: null, updatedAt: new Date(now()) },
            { where: { tokenKey: key, leaseOwner: owner } },
          );
          memory.set(key, { value: got.value, expiresAt });
          return got.value;
        } catch (err) {
          await MessengerToken.update({ leaseOwner: null, leaseUntil: null }, { where: { tokenKey: key, leaseOwner: owner } });
          throw err;
        }
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for another instance to refresh ${key}`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  return {
    async get(key, fetch) {
      const m = memory.get(key);
      if (m && fresh(m.expiresAt)) return m.value;
      let flight = inFlight.get(key);
      if (!flight) {
        flight = refresh(key, fetch).finally(() => inFlight.delete(key));
        inFlight.set(key, flight);
      }
      return flight;
    },
    async invalidate(key, staleValue) {
      if (memory.get(key)?.value === staleValue) memory.delete(key);
      await MessengerToken.update({ expiresAt: null }, { where: { tokenKey: key, value: staleValue } });
    },
  };
}
