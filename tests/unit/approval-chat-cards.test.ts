// Card updates decided when they go out (bot/src/channels/card-update.ts) and the approval card
// key parser: a card not sent yet makes the update wait, a gone or expired card is skipped with a
// note (not a failure), and only well-formed approve/reject keys are the approval module's.
import { describe, expect, it, vi } from 'vitest';
import { RESPONSE_CODE_TTL_MS, sendCardUpdate, type CardTarget } from '../../bot/src/channels/card-update';
import type { OutboxRow } from '../../bot/src/channels/channel';
import { parseApprovalKey } from '../../server/src/modules/approvals/approval.chat';

const NOW = Date.parse('2026-11-23T08:00:00Z');
const row = { id: 9, idemKey: 'card-update:5', channel: 'wecom_app', kind: 'card_update', recipient: 'wx-1', recipientUserId: 1, departmentId: null, payload: { title: '已由 李娜 处理', text: '', cardUpdate: { messageId: 5 } }, payloadKey: '', attempts: 0 } satisfies OutboxRow;
const card = (c: Partial<CardTarget>): CardTarget => ({ status: 'sent', responseCode: 'rc', externalId: 'ot', sentAt: new Date(NOW - 3_600_000), ...c });

describe('sendCardUpdate', () => {
  it.each([
    ['a card that no longer exists', null, 'CARD_GONE'],
    ['a cancelled card', card({ status: 'cancelled' }), 'CARD_GONE'],
    ['a dead card', card({ status: 'dead' }), 'CARD_GONE'],
    ['a card sent without response_code', card({ responseCode: null }), 'NO_RESPONSE_CODE'],
    ['a card sent 72 h + 1 s ago', card({ sentAt: new Date(NOW - RESPONSE_CODE_TTL_MS - 1000) }), 'RESPONSE_CODE_EXPIRED'],
  ])('WeCom: %s is skipped with a note, without an API call', async (_what, target, code) => {
    const apply = vi.fn();
    const o = await sendCardUpdate('wecom', row, async () => target, NOW, apply);
    expect(o).toMatchObject({ outcome: 'sent', note: { code } });
    expect(apply).not.toHaveBeenCalled();
  });

  it.each(['pending', 'sending'] as const)('a card still %s makes the update wait (transient)', async (status) => {
    const o = await sendCardUpdate('wecom', row, async () => card({ status, responseCode: null }), NOW, vi.fn());
    expect(o).toMatchObject({ outcome: 'failed', error: { code: 'CARD_NOT_SENT_YET', kind: 'transient' } });
  });

  it('a sent card within 72 h is updated; a note from the API call makes it a skip', async () => {
    const apply = vi.fn(async () => undefined);
    expect(await sendCardUpdate('wecom', row, async () => card({ sentAt: new Date(NOW - RESPONSE_CODE_TTL_MS + 1000) }), NOW, apply)).toEqual({ outcome: 'sent' });
    expect(apply).toHaveBeenCalledWith(expect.objectContaining({ responseCode: 'rc' }));
    expect(await sendCardUpdate('wecom', row, async () => card({}), NOW, async () => ({ code: '40035', message: 'used' }))).toMatchObject({ outcome: 'sent', note: { code: '40035' } });
  });

  it('DingTalk needs the outTrackId, not a response_code, and has no 72 h limit', async () => {
    const apply = vi.fn(async () => undefined);
    expect(await sendCardUpdate('dingtalk', row, async () => card({ responseCode: null, sentAt: new Date(NOW - 30 * 86_400_000) }), NOW, apply)).toEqual({ outcome: 'sent' });
    expect(await sendCardUpdate('dingtalk', row, async () => card({ externalId: null }), NOW, apply)).toMatchObject({ note: { code: 'NO_OUT_TRACK_ID' } });
    expect(apply).toHaveBeenCalledTimes(1);
  });

  it('a DingTalk work notification without a task_id is skipped with a note', async () => {
    const apply = vi.fn(async () => undefined);
    const notice = { ...row, channel: 'dingtalk_notice' as const };
    expect(await sendCardUpdate('dingtalk', notice, async () => card({ externalId: null, responseCode: null }), NOW, apply)).toMatchObject({ outcome: 'sent', note: { code: 'NO_TASK_ID' } });
    expect(apply).not.toHaveBeenCalled();
  });
});

describe('parseApprovalKey', () => {
  it('takes approve / reject keys with a task id, nothing else', () => {
    expect(parseApprovalKey('approval:12:approve')).toEqual({ taskId: 12, act: 'approve' });
    expect(parseApprovalKey('approval:7:reject')).toEqual({ taskId: 7, act: 'reject' });
    for (const k of ['approval:12:view', 'approval:x:approve', 'approval:12:approve:1', 'test:approve', 'approval::approve', '']) expect(parseApprovalKey(k), k).toBeNull();
  });
});
