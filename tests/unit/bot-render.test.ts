// Rendering the channel-neutral BotPayload into each messenger's format (reference W4, W5, D4,
// D6): byte limits cut on character boundaries, links into the H5, per-message ids, snake_case vs
// camelCase bodies, and how rows are grouped into API calls.
import { describe, expect, it } from 'vitest';
import { absoluteUrl, byteLength, messageRef, truncateBytes, withParam } from '../../bot/src/channels/format';
import { renderWecomApp, wecomAppChannel, WECOM_DUPLICATE_CHECK_SECONDS } from '../../bot/src/channels/wecom-app';
import { dingtalkAppLink, renderDingtalkNotice, statusBarColor } from '../../bot/src/channels/dingtalk-notice';
import { renderDingtalkRobot, renderDingtalkRobotMerged } from '../../bot/src/channels/dingtalk-robot';
import { renderWecomRobot, renderWecomRobotMerged, wecomRobotMergedBytes, WECOM_ROBOT_MARKDOWN_MAX } from '../../bot/src/channels/wecom-robot';
import { renderDingtalkCard } from '../../bot/src/channels/dingtalk-card';
import { consoleChannel } from '../../bot/src/channels/console';
import { planCalls } from '../../bot/src/outbox/dispatcher';
import { nextShanghaiDay, shanghaiDayStart } from '../../bot/src/outbox/rate-limit';
import type { OutboxRow } from '../../bot/src/channels/channel';
import type { BotPayload } from '../../server/src/contracts/bot';
import type { WecomClient } from '../../server/src/modules/messenger/wecom/wecom.client';
import pino from 'pino';

const PUBLIC = 'https://crm.example.com';
const wx = (p: BotPayload) => renderWecomApp(p, { agentId: 1000002, publicUrl: PUBLIC, taskId: messageRef('k') }) as Record<string, any>;
const link = { corpId: 'dingcorp', agentId: 3000001, publicUrl: PUBLIC };
const han = (n: number) => '贷'.repeat(n);

describe('truncateBytes', () => {
  it('never exceeds the limit and never splits a character', () => {
    const samples = ['abc', han(1000), `😀${han(50)}x`, 'a'.repeat(3000), `${'é'.repeat(700)}😀😀`, ''];
    for (const s of samples) {
      for (const max of [1, 3, 4, 10, 128, 512, 2048]) {
        const out = truncateBytes(s, max);
        expect(byteLength(out)).toBeLessThanOrEqual(max);
        expect(Buffer.from(out, 'utf8').toString('utf8')).toBe(out);
        expect(out).not.toContain('\uFFFD');
        expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(out)).toBe(false); // no lone high surrogate
        if (byteLength(s) <= max) expect(out).toBe(s);
        else if (max >= 3) expect(out.endsWith('…')).toBe(true);
      }
    }
  });
});

describe('WeCom app messages', () => {
  it('text: title, body and fields within 2048 bytes; duplicate check on; agentid a number', () => {
    const m = wx({ title: '今日待办', text: han(1000), fields: [{ label: '客户', value: '张三' }] });
    expect(m).toMatchObject({ msgtype: 'text', agentid: 1000002, enable_duplicate_check: 1, duplicate_check_interval: WECOM_DUPLICATE_CHECK_SECONDS });
    expect(WECOM_DUPLICATE_CHECK_SECONDS).toBeLessThanOrEqual(4 * 3600);
    expect(byteLength(m.text.content)).toBeLessThanOrEqual(2048);
    expect(m.text.content.startsWith('今日待办\n贷')).toBe(true);
    expect(m).not.toHaveProperty('touser');
  });

  it('textcard for a link: title ≤ 128 B, description ≤ 512 B, btntxt ≤ 4 characters, absolute escaped URL', () => {
    const m = wx({ title: han(100), text: `<b>${han(300)}</b>`, url: '/customers/12', fields: [{ label: '金额', value: '50万' }] });
    expect(m.msgtype).toBe('textcard');
    expect(byteLength(m.textcard.title)).toBeLessThanOrEqual(128);
    expect(m.textcard.title.endsWith('…')).toBe(true);
    expect(byteLength(m.textcard.description)).toBeLessThanOrEqual(512);
    expect(m.textcard.description).not.toContain('<b>');
    expect([...m.textcard.btntxt].length).toBeLessThanOrEqual(4);
    expect(m.textcard.url).toBe('https://crm.example.com/customers/12');
    // A short card keeps every line in its own <div>.
    const short = wx({ title: '新线索', text: '抖音渠道', url: 'https://other.example.com/x', fields: [{ label: '城市', value: '杭州' }] });
    expect(short.textcard).toMatchObject({ title: '新线索', url: 'https://other.example.com/x', description: '<div class="normal">抖音渠道</div><div class="normal">城市:杭州</div>' });
  });

  it('markdown when the payload has it', () => {
    const m = wx({ title: '日报', text: '纯文本', markdown: '**放款** 3 笔' });
    expect(m).toMatchObject({ msgtype: 'markdown', markdown: { content: '**日报**\n**放款** 3 笔' } });
  });

  it('buttons make a button_interaction template card with a valid task_id', () => {
    const m = wx({
      title: '进件审批:张三 50万', text: '申请人 张伟\n产品 房抵贷', url: '/approvals/12', fields: [{ label: '金额', value: '50万' }],
      buttons: [{ key: 'approval:12:approve', text: '同意', style: 'primary' }, { key: 'approval:12:reject', text: '拒绝', style: 'danger' }],
    });
    expect(m.msgtype).toBe('template_card');
    const c = m.template_card;
    expect(c).toMatchObject({
      card_type: 'button_interaction',
      main_title: { title: '进件审批:张三 50万', desc: '申请人 张伟' },
      card_action: { type: 1, url: 'https://crm.example.com/approvals/12' },
      horizontal_content_list: [{ keyname: '金额', value: '50万' }],
      button_list: [{ text: '同意', style: 1, key: 'approval:12:approve' }, { text: '拒绝', style: 2, key: 'approval:12:reject' }],
    });
    expect(c.task_id).toMatch(/^[0-9A-Za-z_\-@]+$/);
    expect(byteLength(c.task_id)).toBeLessThanOrEqual(128);
  });

  it('messageRef is stable per idem key and distinct across keys', () => {
    expect(messageRef('approval:1|wecom_app|u3')).toBe(messageRef('approval:1|wecom_app|u3'));
    const refs = new Set(Array.from({ length: 1000 }, (_, i) => messageRef(`k${i}`)));
    expect(refs.size).toBe(1000);
  });
});

describe('DingTalk work notifications (snake_case)', () => {
  it('text, markdown, a link as action_card into the workbench app, fields as oa', () => {
    expect(renderDingtalkNotice({ title: '提醒', text: '内容' }, link)).toEqual({ msgtype: 'text', text: { content: '提醒\n内容' } });
    expect(renderDingtalkNotice({ title: '日报', text: 'x', markdown: '**3** 笔' }, link)).toEqual({ msgtype: 'markdown', markdown: { title: '日报', text: '#### 日报\n**3** 笔' } });
    const card = renderDingtalkNotice({ title: '新线索', text: '请跟进', url: '/customers/7?tab=1' }, link) as any;
    expect(card.msgtype).toBe('action_card');
    expect(card.action_card.single_title).toBe('查看详情');
    expect(card.action_card.single_url).toBe(
      `dingtalk://dingtalkclient/action/openapp?corpid=dingcorp&container_type=work_platform&app_id=0_3000001&redirect_type=jump&redirect_url=${encodeURIComponent('https://crm.example.com/customers/7?tab=1')}`,
    );
    const oa = renderDingtalkNotice({ title: '放款', text: '已放款', url: '/loans/1', fields: Array.from({ length: 8 }, (_, i) => ({ label: `项${i}`, value: `${i}` })) }, link) as any;
    expect(oa.msgtype).toBe('oa');
    expect(oa.oa.body.form).toHaveLength(6);
    expect(oa.oa.message_url).toBe(dingtalkAppLink(link, '/loans/1'));
  });

  it('buttons fall back to links into the H5 with the decision preselected', () => {
    const m = renderDingtalkNotice({ title: '审批', text: '请审批', url: '/approvals/12', buttons: [{ key: 'approval:12:approve', text: '同意' }, { key: 'approval:12:reject', text: '拒绝' }] }, link) as any;
    expect(m.msgtype).toBe('action_card');
    expect(m.action_card.btn_orientation).toBe('1');
    expect(m.action_card.btn_json_list.map((b: any) => b.title)).toEqual(['同意', '拒绝']);
    const target = new URL(m.action_card.btn_json_list[1].action_url.replace('dingtalk://', 'http://')).searchParams.get('redirect_url');
    expect(target).toBe('https://crm.example.com/approvals/12?act=approval%3A12%3Areject');
    expect(JSON.stringify(m)).not.toMatch(/"(singleTitle|btnJsonList|actionCard)"/);
  });

  it('a payload with a status is an oa message with a status bar opening the page, buttons or not', () => {
    const p: BotPayload = {
      title: '审批',
      text: '请审批',
      url: '/approvals/12',
      fields: [{ label: '客户', value: '王**' }],
      buttons: [{ key: 'approval:3:approve', text: '同意', url: '/approvals/12?act=approve' }, { key: 'approval:3:reject', text: '驳回', url: '/approvals/12?act=reject', link: true }],
      status: { value: '待审批', bg: '0xFFF65E5E' },
    };
    const m = renderDingtalkNotice(p, link) as any;
    expect(m.msgtype).toBe('oa');
    expect(m.oa.status_bar).toEqual({ status_value: '待审批', status_bg: '0xFFF65E5E' });
    expect(m.oa.message_url).toBe(dingtalkAppLink(link, '/approvals/12'));
    expect(m.oa.pc_message_url).toBe(dingtalkAppLink(link, '/approvals/12'));
    expect(m.oa.body).toEqual({ title: '审批', form: [{ key: '客户:', value: '王**' }], content: '请审批' });
    expect(JSON.stringify(m)).not.toMatch(/act=|btn_json_list/);
    expect((renderDingtalkNotice({ title: 't', text: 'x', status: { value: '一二三四五六七八九十十一' } }, link) as any).oa.status_bar).toEqual({ status_value: '一二三四五六七八九十' });
    expect([statusBarColor('已同意'), statusBarColor('已驳回'), statusBarColor('已由 李四 处理')]).toEqual(['0xFF78C06E', '0xFFF65E5E', '0xFF9E9E9E']);
  });

  it('withParam keeps an existing query and a fragment', () => {
    expect(withParam('/a?x=1#top', 'act', 'b:c')).toBe('/a?x=1&act=b%3Ac#top');
    expect(absoluteUrl(PUBLIC, 'customers')).toBe('https://crm.example.com/customers');
  });

  it('a card carries string-only params and the robot chat of the user', () => {
    const c = renderDingtalkCard({ title: '审批', text: '请审批', buttons: [{ key: 'a', text: '同意' }] }, { cardTemplateId: 'tpl', outTrackId: 'crm_x', userId: 'dd-1', ...link }) as any;
    expect(c).toMatchObject({ cardTemplateId: 'tpl', outTrackId: 'crm_x', openSpaceId: 'dtv1.card//IM_ROBOT.dd-1', imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT' }, userIdType: 1 });
    for (const v of Object.values(c.cardData.cardParamMap)) expect(typeof v).toBe('string');
  });
});

describe('group robots', () => {
  it('WeCom: markdown, or text with mentioned_list when someone is @mentioned', () => {
    expect(renderWecomRobot({ title: '日报', text: '放款 3 笔', url: '/reports' }, PUBLIC)).toEqual({ msgtype: 'markdown', markdown: { content: '**日报**\n放款 3 笔\n[查看详情](https://crm.example.com/reports)' } });
    const t = renderWecomRobot({ title: '逾期', text: han(2000), mentionUserIds: ['wx-1'] }, PUBLIC) as any;
    expect(t.msgtype).toBe('text');
    expect(t.text.mentioned_list).toEqual(['wx-1']);
    expect(byteLength(t.text.content)).toBeLessThanOrEqual(2048);
  });

  it('DingTalk: camelCase at.atUserIds, and markdown names the mentioned users', () => {
    expect(renderDingtalkRobot({ title: '提醒', text: '请跟进', mentionUserIds: ['dd-9'] }, link)).toEqual({ msgtype: 'text', text: { content: '提醒\n请跟进\n@dd-9' }, at: { atUserIds: ['dd-9'], isAtAll: false } });
    const md = renderDingtalkRobot({ title: '日报', text: '放款', url: '/r', mentionUserIds: ['dd-9'] }, link) as any;
    expect(md.msgtype).toBe('markdown');
    expect(md.markdown.text).toContain('@dd-9');
    expect(md.at).toEqual({ atUserIds: ['dd-9'], isAtAll: false });
  });

  it('merged messages name every part, keep the mentions and fit the limit', () => {
    const payloads = Array.from({ length: 12 }, (_, i) => ({ title: `消息${i}`, text: `内容${i}`, mentionUserIds: i === 3 ? ['u3'] : undefined }));
    const w = renderWecomRobotMerged(payloads, PUBLIC) as any;
    expect(w.markdown.content.startsWith('**12 条消息**')).toBe(true);
    for (let i = 0; i < 12; i++) expect(w.markdown.content).toContain(`**消息${i}**`);
    expect(w.markdown.content).toContain('<@u3>');
    expect(wecomRobotMergedBytes(payloads, PUBLIC)).toBe(byteLength(w.markdown.content));
    expect(byteLength((renderWecomRobotMerged(Array(200).fill({ title: han(20), text: han(40) }), PUBLIC) as any).markdown.content)).toBeLessThanOrEqual(WECOM_ROBOT_MARKDOWN_MAX);
    const d = renderDingtalkRobotMerged(payloads, link) as any;
    expect(d.markdown.title).toBe('12 条消息');
    expect(d.at.atUserIds).toEqual(['u3']);
  });
});

describe('planCalls', () => {
  const sender = wecomAppChannel({ config: { agentId: 1 } } as WecomClient, PUBLIC);
  let id = 0;
  const row = (recipient: string, payload: BotPayload, kind = 'notice'): OutboxRow => ({
    id: ++id, idemKey: `k${id}`, channel: 'wecom_app', kind, recipient, recipientUserId: null, departmentId: null, payload, payloadKey: JSON.stringify(payload), attempts: 0,
  });

  it('identical payloads share calls of at most 1,000 recipients; a recipient appears once per call', () => {
    const p = { title: '通知', text: '开会' };
    const rows = Array.from({ length: 2500 }, (_, i) => row(`u${i}`, p));
    rows.push(row('u1', p)); // the same person twice (two different messages with the same text)
    const calls = planCalls(sender, rows);
    expect(calls.map((c) => c.length)).toEqual([1000, 1000, 501]);
    for (const c of calls) expect(new Set(c.map((r) => r.recipient)).size).toBe(c.length);
  });

  it('different text or kind never share a call; cards with buttons go one by one', () => {
    const calls = planCalls(sender, [
      row('a', { title: '1', text: 'x' }), row('b', { title: '2', text: 'x' }), row('c', { title: '1', text: 'x' }, 'other'),
      row('d', { title: '审批', text: 'x', buttons: [{ key: 'k', text: '同意' }] }), row('e', { title: '审批', text: 'x', buttons: [{ key: 'k', text: '同意' }] }),
    ]);
    expect(calls.map((c) => c.map((r) => r.recipient).join(''))).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('the console takes everything in one call', () => {
    const rows = Array.from({ length: 30 }, (_, i) => row('-', { title: `${i}`, text: 'x' }));
    expect(planCalls(consoleChannel(pino({ level: 'silent' })), rows).map((c) => c.length)).toEqual([30]);
  });
});

describe('Shanghai days', () => {
  it('a day starts at 00:00 Beijing time (16:00 UTC the day before)', () => {
    const lateEvening = Date.UTC(2026, 10, 23, 15, 59, 59); // 23:59:59 in Shanghai
    expect(shanghaiDayStart(lateEvening)).toBe(Date.UTC(2026, 10, 22, 16, 0, 0));
    expect(nextShanghaiDay(lateEvening)).toBe(Date.UTC(2026, 10, 23, 16, 0, 0));
    expect(shanghaiDayStart(Date.UTC(2026, 10, 23, 16, 0, 0))).toBe(Date.UTC(2026, 10, 23, 16, 0, 0));
  });
});
