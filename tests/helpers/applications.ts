// Helpers for application and approval tests: a customer ready for an application, an
// application submitted through the API, decisions, and raw reads of what was stored.
import { expect } from 'vitest';
import type { Client, TestApp } from './test-app';
import { advanceTo, createCustomer, rows } from './fixtures';

export const SMALL = 30_000_000; // 30万元, under the default flow's 50万 threshold
export const BIG = 80_000_000; // 80万元

export function applicationInput(customerId: number, overrides: Record<string, unknown> = {}) {
  return { customerId, product: '房抵贷', amountFen: SMALL, termMonths: 36, purpose: '经营周转', repaymentMethod: 'equal_installment', ...overrides };
}

/** A customer of `as`, moved to 已尽调 so an application can be submitted. */
export async function readyCustomer(as: Client, overrides: Record<string, unknown> = {}) {
  const c = await createCustomer(as, overrides);
  await advanceTo(as, c.id, ['intent', 'due_diligence']);
  return c;
}

/** Creates and submits an application as `as` for a fresh ready customer; returns its detail. */
export async function submitted(as: Client, overrides: Record<string, unknown> = {}) {
  const c = await readyCustomer(as);
  const res = await as.post('/api/v1/applications', applicationInput(c.id, { submit: true, ...overrides }));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { customerId: c.id, id: res.body.id as number, body: res.body };
}

export function decide(as: Client, id: number, action: 'approve' | 'reject' | 'return', comment?: string) {
  return as.post(`/api/v1/applications/${id}/decide`, { action, comment });
}

export async function approve(as: Client, id: number) {
  const res = await decide(as, id, 'approve');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

export async function tasksOf(t: TestApp, applicationId: number) {
  return rows(
    t,
    'SELECT t.id, t.round, t.node_id, t.status, t.action, u.name AS assignee FROM approval_tasks t JOIN users u ON u.id = t.assignee_id WHERE t.application_id = ? ORDER BY t.id',
    [applicationId],
  );
}

/** "node:assignee:status" per task, in creation order: compact to compare. */
export async function taskLine(t: TestApp, applicationId: number): Promise<string[]> {
  return (await tasksOf(t, applicationId)).map((r) => `${r.node_id}:${r.assignee}:${r.status}`);
}

export async function applicationRow(t: TestApp, id: number) {
  const [r] = await rows(t, 'SELECT * FROM applications WHERE id = ?', [id]);
  return r;
}

export async function actionsOf(t: TestApp, id: number): Promise<string[]> {
  return (await rows(t, 'SELECT action FROM application_actions WHERE application_id = ? ORDER BY id', [id])).map((r) => String(r.action));
}
