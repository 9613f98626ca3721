// A scheduled job takes a named lease before it runs, so across several instances it fires once.
// The lease is a conditional UPDATE on job_leases (atomic on MySQL and SQLite); it expires on its
// own if the holder dies, so a crashed run never blocks the next one for longer than `ttlMs`.
import crypto from 'node:crypto';
import { Op } from 'sequelize';
import type { Models } from './models';

const OWNER = `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;

export interface LeaseResult<T> {
  ran: boolean;
  result?: T;
}

export async function withJobLease<T>(
  models: Pick<Models, 'JobLease'>,
  name: string,
  ttlMs: number,
  fn: () => Promise<T>,
  now: () => number = Date.now,
): Promise<LeaseResult<T>> {
  const { JobLease } = models;
  await JobLease.bulkCreate([{ name }], { ignoreDuplicates: true });
  const [taken] = await JobLease.update(
    { owner: OWNER, leaseUntil: new Date(now() + ttlMs) },
    { where: { name, [Op.or]: [{ leaseUntil: null }, { leaseUntil: { [Op.lt]: new Date(now()) } }] } },
  );
  if (taken !== 1) return { ran: false };
  const started = now();
  let summary = 'ok';
  let failed = false;
  try {
    const result = await fn();
    if (typeof result === 'string' && result) summary = result.slice(0, 2000);
    return { ran: true, result };
  } catch (err) {
    failed = true;
    summary = `error: ${(err as Error).message}`.slice(0, 2000);
    throw err;
  } finally {
    const ended = now();
    await JobLease.update(
      { owner: null, leaseUntil: null, lastRunAt: new Date(ended), lastResult: summary, lastOutcome: failed ? 'error' : 'ok', lastDurationMs: Math.max(0, Math.round(ended - started)) },
      { where: { name, owner: OWNER } },
    );
  }
}
