// Approval SLAs: a task past its node's SLA (working hours) reminds the approver once; past twice
// the SLA it tells the approver's supervisor once; nothing is sent outside working hours; a
// decided task is left alone. The job is driven by hand with a fixed clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../helpers/test-app';
import { rows } from '../helpers/fixtures';
import { approve, submitted } from '../helpers/applications';
import { runApprovalSla } from '../../server/src/modules/approvals/approval-sla';
import { createApprovalNotifier, type ApprovalNotice } from '../../server/src/modules/approvals/approval.notifier';
import { approvalSlaJob } from '../../bot/src/jobs/approval-sla.job';
import { BOT_JOBS } from '../../bot/src/jobs';

let t: TestApp;
let zhang: Client;
let wu: Client;
const at = (s: string) => new Date(`${s}+08:00`);

beforeAll(async () => {
  t = await createTestApp();
  zhang = await t.loginAs('张伟');
  wu = await t.loginAs('吴婷');
});
afterAll(() => t?.close());

async function pendingTask(applicationId: number) {
  return t.deps.db.models.ApprovalTask.findOne({ where: { applicationId, status: 'pending' } });
}

describe('SLA reminders', () => {
  it('tasks get due times in working hours from the node SLA (team lead: 4 h)', async () => {
    const s = await submitted(zhang);
    const task = await pendingTask(s.id);
    expect(task!.dueAt).not.toBeNull();
    const created = task!.createdAt.getTime();
    // 4 working hours are at least 4 wall-clock hours later (more across nights and weekends).
    expect(task!.dueAt!.getTime() - created).toBeGreaterThanOrEqual(4 * 3600_000 - 1000);
    expect(task!.escalateAt!.getTime()).toBeGreaterThan(task!.dueAt!.getTime());
  });

  it('reminds the approver once, then tells their supervisor once; quiet at night; the bot outbox gets both', async () => {
    const s = await submitted(zhang);
    const task = (await pendingTask(s.id))!;
    await task.update({ dueAt: at('2026-11-23T10:00:00'), escalateAt: at('2026-11-23T14:00:00') });
    const sent: ApprovalNotice[] = [];
    const bot = createApprovalNotifier(t.deps.bot);
    const notifier = { notify: async (tx: never, n: ApprovalNotice[]) => { sent.push(...n); await bot.notify(tx, n); } };

    expect(await runApprovalSla(t.deps, notifier, at('2026-11-23T09:59:00'))).toEqual({ reminded: 0, escalated: 0 });
    const r1 = await runApprovalSla(t.deps, notifier, at('2026-11-23T10:05:00'));
    expect(r1.reminded).toBeGreaterThanOrEqual(1);
    const mine = () => sent.filter((n) => n.applicationId === s.id);
    expect(mine().map((n) => [n.kind, n.userIds])).toEqual([['approval_sla_remind', [await t.userId('吴婷')]]]);
    expect(mine()[0].payload.text).toContain('超过 4 个工作小时');

    // The same step never goes out twice.
    await runApprovalSla(t.deps, notifier, at('2026-11-23T11:00:00'));
    expect(mine()).toHaveLength(1);
    // After hours nothing is sent, even though the escalation is due.
    expect(await runApprovalSla(t.deps, notifier, at('2026-11-23T20:00:00'))).toEqual({ reminded: 0, escalated: 0 });
    expect(mine()).toHaveLength(1);

    await runApprovalSla(t.deps, notifier, at('2026-11-24T09:30:00'));
    expect(mine().map((n) => [n.kind, n.userIds])).toEqual([
      ['approval_sla_remind', [await t.userId('吴婷')]],
      ['approval_sla_escalate', [await t.userId('周强')]],
    ]);
    expect(mine()[1].payload.text).toContain('吴婷');
    const outbox = await rows(t, "SELECT kind FROM bot_messages WHERE ref_id = ? AND kind LIKE 'approval_sla%' ORDER BY id", [String(s.id)]);
    expect(outbox.map((r) => r.kind)).toEqual(['approval_sla_remind', 'approval_sla_escalate']);
    const trail = (await zhang.get(`/api/v1/applications/${s.id}`)).body.timeline.map((e: { action: string }) => e.action);
    expect(trail.slice(-2)).toEqual(['sla_remind', 'sla_escalate']);
  });

  it('a decided task is not chased', async () => {
    const s = await submitted(zhang);
    const task = (await pendingTask(s.id))!;
    await task.update({ dueAt: at('2026-11-23T10:00:00'), escalateAt: at('2026-11-23T14:00:00') });
    await approve(wu, s.id);
    const sent: ApprovalNotice[] = [];
    await runApprovalSla(t.deps, { notify: async (_t, n) => void sent.push(...n) }, at('2026-11-24T10:00:00'));
    expect(sent.filter((n) => n.applicationId === s.id && n.idemKey.startsWith(`approval:task:${task.id}:`))).toHaveLength(0);
  });

  it('is a scheduled bot job (every 10 minutes, under a lease)', () => {
    expect(BOT_JOBS).toContain(approvalSlaJob);
    expect(approvalSlaJob.schedule(t.config)).toBe('*/10 * * * *');
  });
});
