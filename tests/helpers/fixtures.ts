// Shared helpers for integration tests: raw DB reads (so assertions see what was really
// stored), customer creation through the API, and the signed partner intake call.
import crypto from 'node:crypto';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { expect } from 'vitest';
import { DEMO_PARTNER } from '../../sql/seeds/demo';
import { customerInput, type Client, type TestApp } from './test-app';

export type Row = Record<string, unknown>;

export async function rows(t: TestApp, sql: string, replacements: unknown[] = []): Promise<Row[]> {
  return t.deps.db.sequelize.query<Row>(sql, { replacements, type: QueryTypes.SELECT });
}

export async function count(t: TestApp, table: string, where = '1=1', replacements: unknown[] = []): Promise<number> {
  const [r] = await rows(t, `SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, replacements);
  return Number(r.n);
}

export async function exec(t: TestApp, sql: string, replacements: unknown[] = []): Promise<void> {
  await t.deps.db.sequelize.query(sql, { replacements });
}

/** Row counts of every table a write may touch; compare before/after to prove nothing was written. */
export const WRITE_TABLES = ['customers', 'follow_ups', 'audit_logs', 'domain_events', 'customer_stage_changes', 'customer_owner_changes', 'idempotency_keys'] as const;

export async function snapshotCounts(t: TestApp): Promise<Record<string, number>> {
  const [r] = await rows(t, `SELECT ${WRITE_TABLES.map((table) => `(SELECT COUNT(*) FROM ${table}) AS ${table}`).join(', ')}`);
  return Object.fromEntries(WRITE_TABLES.map((table) => [table, Number(r[table])]));
}

/** The raw stored customer row (snake_case columns). */
export async function customerRow(t: TestApp, id: number): Promise<Row> {
  const [r] = await rows(t, 'SELECT * FROM customers WHERE id = ?', [id]);
  return r;
}

export interface CreatedCustomer {
  id: number;
  phone: string; // the plain phone that was sent
  name: string;
  body: Record<string, any>;
}

/** Registers a customer through the API as `as`, asserting 201. */
export async function createCustomer(as: Client, overrides: Record<string, unknown> = {}): Promise<CreatedCustomer> {
  const input = customerInput(overrides);
  const res = await as.post('/api/v1/customers', input);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id, phone: String(input.phone), name: String(input.name), body: res.body };
}

/** Walks a customer along the main line to `target` through the API. */
export async function advanceTo(as: Client, id: number, path: string[]): Promise<void> {
  for (const to of path) {
    const res = await as.post(`/api/v1/customers/${id}/stage`, { to });
    expect(res.status, `${to}: ${JSON.stringify(res.body)}`).toBe(200);
  }
}

export const maskPhone = (p: string) => `${p.slice(0, 3)}****${p.slice(7)}`;
export const maskId = (id: string) => `${id.slice(0, 6)}********${id.slice(14)}`;

export const ids = (res: { body: { items: { id: number }[] } }) => res.body.items.map((c) => c.id);

/** Asserts a 422 VALIDATION_FAILED naming `field`, every message in Chinese. */
export function expectValidation(res: request.Response, field?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(422);
  expect(res.body.error.code).toBe('VALIDATION_FAILED');
  expect(res.body.error.message).toMatch(/[\u4e00-\u9fa5]/);
  const fields = res.body.error.details?.fields as { field: string; message: string }[];
  expect(Array.isArray(fields) && fields.length > 0).toBe(true);
  for (const f of fields) {
    expect(typeof f.field).toBe('string');
    expect(f.message, `message for ${f.field}`).toMatch(/[\u4e00-\u9fa5]/);
  }
  if (field) expect(fields.map((f) => f.field)).toContain(field);
}

export function expectError(res: request.Response, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
}

// ---- partner intake ----

export function sign(secret: string, timestamp: string, raw: string): string {
  return crypto.createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex');
}

export interface IntakeOpts {
  key?: string;
  secret?: string;
  timestamp?: string;
  signature?: string;
  idempotencyKey?: string | null;
}

/** Sends exactly `raw` to the intake endpoint, signed unless a signature is given. */
export function intake(t: TestApp, raw: string, o: IntakeOpts = {}) {
  const ts = o.timestamp ?? String(Math.floor(Date.now() / 1000));
  const req = request(t.server)
    .post('/api/v1/intake/leads')
    .set('Content-Type', 'application/json')
    .set('X-Channel-Key', o.key ?? DEMO_PARTNER.apiKey)
    .set('X-Timestamp', ts)
    .set('X-Signature', o.signature ?? sign(o.secret ?? DEMO_PARTNER.secret, ts, raw));
  if (o.idempotencyKey !== null) req.set('Idempotency-Key', o.idempotencyKey ?? crypto.randomUUID());
  return req.send(raw);
}
