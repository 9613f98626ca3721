// Repayment reminders by SMS (C18) against fake Aliyun and Tencent servers that verify signatures
// and parameters, on a test clock (day 0 = Tuesday 2026-12-01, Shanghai):
// which installments get an SMS (3 days ahead, first overdue day; not paid, settled, opted out or
// outside the window), exactly one per installment and purpose across reruns and a restart,
// nothing outside 09:00–20:00, throttling waits (tomorrow after a daily cap) without a second
// send, an invalid number is marked and never retried until the number changes, receipts,
// the customer timeline and opt-out (scoped), the admin log and resend, the officer's digest,
// an interrupted send is not repeated; and the same over Tencent Cloud.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, newPhone, type Client, type TestApp } from '../helpers/test-app';
import { createCustomer, expectError, expectValidation } from '../helpers/fixtures';
import { TestClock } from '../fakes/fake-http';
import { FAKE_ALIYUN, FakeAliyunSms } from '../fakes/sms/aliyun';
import { FAKE_TENCENT, FakeTencentSms } from '../fakes/sms/tencent';
import { createSmsService, type SmsService } from '../../server/src/modules/sms/sms.service';
import { createSmsReminders } from '../../server/src/modules/sms/sms.reminders';
import { seedLoan } from '../helpers/sms';
import { createDispatcher } from '../../bot/src/outbox/dispatcher';

const sh = (s: string) => Date.parse(`${s}+08:00`);

const TEMPLATES = {
  SMS_TEMPLATE_REPAYMENT_DUE: 'SMS_100000001:name,seq,amount,dueDate',
  SMS_TEMPLATE_OVERDUE: 'SMS_100000002:name,seq,amount,dueDate',
  SMS_TEMPLATE_MISSING_DOCUMENTS: 'SMS_100000003:name',
};

describe('SMS reminders over Aliyun', () => {
  const clock = new TestClock(sh('2026-12-01T08:05:00'));
  const fake = new FakeAliyunSms(clock);
  let app: TestApp;
  let zw: Client;
  let zhangWei: number;
  let sms: SmsService;
  const c: Record<string, { id: number; phone: string }> = {};
  const inst: Record<string, number> = {};

  async function row(key: string) {
    return (await app.deps.db.models.SmsMessage.findOne({ where: { businessKey: key }, raw: true }))!;
  }
  const sendsTo = (phone: string) => fake.sends.filter((s) => s.phone === phone).length;

  beforeAll(async () => {
    const url = await fake.start();
    app = await createTestApp({
      build: { bot: { now: clock.now } },
      env: {
        SMS_PROVIDER: 'aliyun', ALIYUN_SMS_ENDPOINT: url, ALIYUN_SMS_ACCESS_KEY_ID: FAKE_ALIYUN.accessKeyId, ALIYUN_SMS_ACCESS_KEY_SECRET: FAKE_ALIYUN.accessKeySecret,
        ALIYUN_SMS_SIGN_NAME: FAKE_ALIYUN.signName, ...TEMPLATES,
      },
    });
    zw = await app.loginAs('张伟');
    zhangWei = await app.userId('张伟');
    sms = createSmsService(app.deps);
    for (const k of ['due', 'optout', 'overdue', 'paid', 'later', 'settled', 'invalid']) {
      const cc = await createCustomer(zw, { name: `短信${k}` });
      c[k] = { id: cc.id, phone: cc.phone };
    }
    inst.due = (await seedLoan(app, c.due!.id, zhangWei, [{ dueOn: '2026-12-04' }, { dueOn: '2027-01-04' }])).installmentIds[0]!;
    inst.optout = (await seedLoan(app, c.optout!.id, zhangWei, [{ dueOn: '2026-12-04' }])).installmentIds[0]!;
    inst.overdue = (await seedLoan(app, c.overdue!.id, zhangWei, [{ dueOn: '2026-11-30', status: 'overdue' }])).installmentIds[0]!;
    inst.paid = (await seedLoan(app, c.paid!.id, zhangWei, [{ dueOn: '2026-12-04', status: 'paid', paid: true }])).installmentIds[0]!;
    inst.later = (await seedLoan(app, c.later!.id, zhangWei, [{ dueOn: '2026-12-10' }])).installmentIds[0]!;
    inst.settled = (await seedLoan(app, c.settled!.id, zhangWei, [{ dueOn: '2026-12-04' }], 'settled')).installmentIds[0]!;
    inst.invalid = (await seedLoan(app, c.invalid!.id, zhangWei, [{ dueOn: '2026-12-03' }])).installmentIds[0]!;
    fake.invalidNumbers.add(c.invalid!.phone);
    const res = await zw.agent.put(`/api/v1/customers/${c.optout!.id}/sms-opt-out`).set('X-Requested-With', 'XMLHttpRequest').send({ optOut: true });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  afterAll(async () => {
    await app?.close();
    await fake.stop();
  });

  it('the scan queues one SMS per due installment and purpose; reruns and a restart add nothing', async () => {
    const r1 = await createSmsReminders(app.deps, sms).scan();
    expect(r1).toMatchObject({ date: '2026-12-01', due: { queued: 2, optedOut: 1 }, overdue: { queued: 1 } });
    await createSmsReminders(app.deps, sms).scan();
    // A restart: new service objects over the same database.
    const r3 = await createSmsReminders(app.deps, createSmsService(app.deps)).scan();
    expect(r3).toMatchObject({ due: { queued: 0 }, overdue: { queued: 0 } });
    const rows = await app.deps.db.models.SmsMessage.findAll({ order: [['id', 'ASC']], raw: true });
    expect(rows.map((r) => r.businessKey).sort()).toEqual([`inst:${inst.due}:repayment_due`, `inst:${inst.invalid}:repayment_due`, `inst:${inst.overdue}:overdue`].sort());
    const due = await row(`inst:${inst.due}:repayment_due`);
    expect(due).toMatchObject({ status: 'queued', customerId: c.due!.id, templateCode: 'SMS_100000001', phoneLast4: c.due!.phone.slice(-4) });
    expect(JSON.parse(due.params)).toMatchObject({ name: '短信due', seq: '1', amount: '1,234.56', dueDate: '2026-12-04' });
    // The phone is stored encrypted, like the customer's.
    expect(due.phoneEnc).not.toContain(c.due!.phone);
    expect(app.deps.crypto.decrypt(due.phoneEnc)).toBe(c.due!.phone);
  });

  it('the officer gets one digest a day listing customers due in 3 days', async () => {
    const digests = await app.deps.db.models.BotMessage.findAll({ where: { kind: 'repayment_due_digest' } });
    expect(digests.map((d) => d.recipientUserId)).toEqual([zhangWei]);
    expect(digests[0]!.payload.text).toContain('短信due 第1期 1,234.56 元');
    expect(digests[0]!.payload.text).toContain('短信optout'); // the officer still hears of opted-out customers
    expect(digests[0]!.payload.text).not.toContain('短信invalid'); // due in 2 days, not 3
    // It reaches the officer through the bot: no messenger is configured here, so the console channel.
    const logged: unknown[] = [];
    const log = app.deps.log.child({});
    log.info = ((o: unknown) => void logged.push(o)) as typeof log.info;
    await createDispatcher({ ...app.deps, log }).drain();
    const [sent] = await app.deps.db.models.BotMessage.findAll({ where: { kind: 'repayment_due_digest' }, raw: true });
    expect(sent).toMatchObject({ channel: 'console', status: 'sent', recipientUserId: zhangWei });
    const line = logged.find((o) => (o as { recipientUserId?: number }).recipientUserId === zhangWei && JSON.stringify(o).includes('短信due 第1期'));
    expect(line, JSON.stringify(logged)).toBeTruthy();
  });

  it('before 09:00 nothing is sent', async () => {
    const r = await sms.sendDue();
    expect(r.deferred).toBe(true);
    expect(fake.sends).toHaveLength(0);
  });

  it('at 09:00 each goes once with the template params; an invalid number is marked and not retried', async () => {
    clock.ms = sh('2026-12-01T09:00:00');
    const r = await sms.sendDue();
    expect(r).toMatchObject({ claimed: 3, sent: 2, invalid: 1 });
    expect(fake.sends.map((s) => s.templateCode).sort()).toEqual(['SMS_100000001', 'SMS_100000002']);
    const sent = fake.sends.find((s) => s.phone === c.due!.phone)!;
    expect(sent.params).toEqual({ name: '短信due', seq: '1', amount: '1,234.56', dueDate: '2026-12-04' });
    expect(await row(`inst:${inst.due}:repayment_due`)).toMatchObject({ status: 'sent', provider: 'aliyun', providerCode: 'OK', providerMessageId: sent.bizId, attempts: 1 });
    expect(sent.outId).toBe(String((await row(`inst:${inst.due}:repayment_due`)).id));
    expect(await row(`inst:${inst.invalid}:repayment_due`)).toMatchObject({ status: 'invalid', providerCode: 'isv.MOBILE_NUMBER_ILLEGAL' });
    const flags = await app.deps.db.models.SmsCustomer.findByPk(c.invalid!.id, { raw: true });
    expect(flags!.smsInvalidPhoneHash).toBeTruthy();
    clock.advance(3_600_000);
    await sms.sendDue();
    expect(fake.sends).toHaveLength(2);
    expect(fake.calls.length).toBe(3); // no retry of the invalid number
    // The next SMS for that customer is not even tried.
    await sms.queueOne(null, { businessKey: 'test:invalid:docs', customerId: c.invalid!.id, purpose: 'missing_documents' });
    expect((await row('test:invalid:docs')).status).toBe('invalid');
  });

  it('a daily cap (isv.BUSINESS_LIMIT_CONTROL 天级) waits for tomorrow 09:00 and then goes once', async () => {
    clock.ms = sh('2026-12-01T11:00:00');
    await sms.queueOne(null, { businessKey: 'test:due:docs', customerId: c.due!.id, purpose: 'missing_documents' });
    fake.failNext('isv.BUSINESS_LIMIT_CONTROL', '触发天级流控Permits:10'); // stands in for the 11th SMS of the day
    const r = await sms.sendDue();
    expect(r).toMatchObject({ claimed: 1, throttled: 1, sent: 0 });
    const limited = await row('test:due:docs');
    expect(limited).toMatchObject({ status: 'throttled', providerCode: 'isv.BUSINESS_LIMIT_CONTROL' });
    expect(new Date(limited.nextAttemptAt).getTime()).toBe(sh('2026-12-02T09:00:00'));
    clock.ms = sh('2026-12-01T15:00:00');
    await sms.sendDue();
    expect(fake.sends.filter((s) => s.templateCode === 'SMS_100000003')).toHaveLength(0);
    expect((await row('test:due:docs')).attempts).toBe(1); // not even tried again today
  });

  it('quiet hours: queued at 21:00 waits (not at 21:00, not at 03:00) and goes after 09:00', async () => {
    clock.ms = sh('2026-12-01T21:00:00');
    await sms.queueOne(null, { businessKey: 'test:overdue:docs', customerId: c.overdue!.id, purpose: 'missing_documents' });
    expect((await sms.sendDue()).deferred).toBe(true);
    clock.ms = sh('2026-12-02T03:00:00');
    expect((await sms.sendDue()).deferred).toBe(true);
    expect(fake.sends.filter((s) => s.templateCode === 'SMS_100000003')).toHaveLength(0);
    clock.ms = sh('2026-12-02T09:00:30');
    await sms.sendDue();
    const docs = fake.sends.filter((s) => s.templateCode === 'SMS_100000003');
    expect(docs.map((s) => s.phone).sort()).toEqual([c.due!.phone, c.overdue!.phone].sort());
    expect(new Date(docs[0]!.at).getTime()).toBeGreaterThanOrEqual(sh('2026-12-02T09:00:00'));
    clock.advance(3_600_000);
    await sms.sendDue();
    expect(fake.sends.filter((s) => s.templateCode === 'SMS_100000003')).toHaveLength(2);
  });

  it('per-number flow control (分钟级) is retried a minute later, without a duplicate', async () => {
    clock.ms = sh('2026-12-02T10:00:00');
    await sms.queueOne(null, { businessKey: 'test:due:a', customerId: c.due!.id, purpose: 'missing_documents' });
    await sms.queueOne(null, { businessKey: 'test:due:b', customerId: c.due!.id, purpose: 'missing_documents' });
    const before = sendsTo(c.due!.phone);
    const r = await sms.sendDue();
    expect(r).toMatchObject({ sent: 1, throttled: 1 }); // the real per-minute limit of the fake: 1 per number
    expect(sendsTo(c.due!.phone)).toBe(before + 1);
    const throttled = (await row('test:due:a')).status === 'throttled' ? 'test:due:a' : 'test:due:b';
    expect(await row(throttled)).toMatchObject({ status: 'throttled', providerCode: 'isv.BUSINESS_LIMIT_CONTROL' });
    await sms.sendDue(); // same minute: it waits, nothing is sent
    expect(sendsTo(c.due!.phone)).toBe(before + 1);
    clock.advance(61_000);
    await sms.sendDue();
    expect(await row(throttled)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(sendsTo(c.due!.phone)).toBe(before + 2);
  });

  it('delivery receipts (QuerySendDetails): delivered and failed', async () => {
    const failed = fake.sends.find((s) => s.phone === c.overdue!.phone && s.templateCode === 'SMS_100000002')!;
    fake.receiptStatus.set(failed.bizId, { status: 2, errCode: 'MK:0001' });
    const r = await sms.pollReceipts();
    expect(r.checked).toBeGreaterThanOrEqual(2);
    expect(await row(`inst:${inst.due}:repayment_due`)).toMatchObject({ status: 'delivered', deliveryCode: 'DELIVERED' });
    expect((await row(`inst:${inst.due}:repayment_due`)).deliveredAt).not.toBeNull();
    expect(await row(`inst:${inst.overdue}:overdue`)).toMatchObject({ status: 'failed', deliveryCode: 'MK:0001' });
  });

  it('the customer timeline shows the messages with status and provider answer, in scope only', async () => {
    const res = await zw.get(`/api/v1/customers/${c.due!.id}/sms`);
    expect(res.status).toBe(200);
    expect(res.body.optOut).toBe(false);
    const due = res.body.items.find((i: { purpose: string }) => i.purpose === 'repayment_due');
    expect(due).toMatchObject({ status: 'delivered', statusLabel: '已送达', providerCode: 'OK', phone: `*******${c.due!.phone.slice(-4)}` });
    expect(JSON.stringify(res.body)).not.toContain(c.due!.phone);
    // The same messages sit on the customer's history timeline, beside stage and owner changes.
    const hist = await zw.get(`/api/v1/customers/${c.due!.id}/history`);
    expect(hist.status).toBe(200);
    expect(hist.body.sms.map((m: { id: number }) => m.id)).toEqual(res.body.items.map((m: { id: number }) => m.id));
    expect(hist.body.sms.find((m: { purpose: string }) => m.purpose === 'repayment_due')).toMatchObject({
      status: 'delivered', statusLabel: '已送达', provider: 'aliyun', providerCode: 'OK', deliveryCode: 'DELIVERED', phone: `*******${c.due!.phone.slice(-4)}`,
    });
    expect(JSON.stringify(hist.body)).not.toContain(c.due!.phone);
    const invalidHist = await zw.get(`/api/v1/customers/${c.invalid!.id}/history`);
    // The number the provider refused: its answer (isv.MOBILE_NUMBER_ILLEGAL) is on the timeline.
    expect(invalidHist.body.sms).toEqual(expect.arrayContaining([expect.objectContaining({ status: 'invalid', providerCode: 'isv.MOBILE_NUMBER_ILLEGAL' })]));
    const other = await app.loginAs('何丹');
    expect((await other.get(`/api/v1/customers/${c.due!.id}/history`)).status).toBe(404);
    expect((await other.get(`/api/v1/customers/${c.due!.id}/sms`)).status).toBe(404);
    const put = await other.agent.put(`/api/v1/customers/${c.due!.id}/sms-opt-out`).set('X-Requested-With', 'XMLHttpRequest').send({ optOut: true });
    expect(put.status).toBe(404);
    expect((await zw.get(`/api/v1/customers/${c.invalid!.id}/sms`)).body.phoneInvalid).toBe(true);
  });

  it('admin: lists and filters; officers may not; an invalid one is resent only after the number is fixed', async () => {
    const admin = await app.loginAs('王敏');
    expect((await zw.get('/api/v1/admin/sms')).status).toBe(403);
    const list = await admin.get('/api/v1/admin/sms?status=invalid&purpose=repayment_due');
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: { customerName: string }) => i.customerName)).toEqual(['短信invalid']);
    expectValidation(await admin.get('/api/v1/admin/sms?status=lost'), 'status');
    const settings = await admin.get('/api/v1/admin/sms/settings');
    expect(settings.body).toMatchObject({ provider: 'aliyun', daysBefore: 3, allowedHours: '09:00-20:00' });
    expect(settings.body.templates[0]).toMatchObject({ purpose: 'repayment_due', code: 'SMS_100000001' });
    const id = list.body.items[0].id;
    expectError(await admin.post(`/api/v1/admin/sms/${id}/resend`), 422, 'SMS_PHONE_STILL_INVALID');
    expect((await row(`inst:${inst.invalid}:repayment_due`)).status).toBe('invalid');
    const delivered = (await row(`inst:${inst.due}:repayment_due`)).id;
    expectError(await admin.post(`/api/v1/admin/sms/${delivered}/resend`), 409, 'SMS_NOT_RESENDABLE');
    const phone = newPhone();
    const fix = await zw.patch(`/api/v1/customers/${c.invalid!.id}`, { phone });
    expect(fix.status, JSON.stringify(fix.body)).toBe(200);
    const ok = await admin.post(`/api/v1/admin/sms/${id}/resend`);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ status: 'queued', phone: `*******${phone.slice(-4)}` });
    clock.ms = sh('2026-12-02T12:00:00'); // before the installment's due date (12-03)
    await sms.sendDue();
    expect(await row(`inst:${inst.invalid}:repayment_due`)).toMatchObject({ status: 'sent', providerCode: 'OK' });
    expect(sendsTo(phone)).toBe(1);
  });

  it('a send interrupted mid-call (instance died) is failed for a person to check, never sent twice', async () => {
    clock.ms = sh('2026-12-02T13:00:00');
    await sms.queueOne(null, { businessKey: 'test:paid:docs', customerId: c.paid!.id, purpose: 'missing_documents' });
    const r0 = await row('test:paid:docs');
    await app.deps.db.models.SmsMessage.update({ status: 'sending', claimedBy: 'dead-instance', claimUntil: new Date(clock.ms - 1), attempts: 1 }, { where: { id: r0.id } });
    const before = fake.sends.length;
    const r = await sms.sendDue();
    expect(r.interrupted).toBe(1);
    expect(await row('test:paid:docs')).toMatchObject({ status: 'failed', providerCode: 'INTERRUPTED' });
    expect(fake.sends.length).toBe(before);
  });

  it('a repayment reminder whose installment was paid meanwhile is cancelled, not sent', async () => {
    clock.ms = sh('2027-01-01T08:05:00'); // the second installment of 'due' (2027-01-04) enters the window
    await createSmsReminders(app.deps, sms).scan();
    const key = `inst:${inst.due! + 1}:repayment_due`;
    expect((await row(key)).status).toBe('queued');
    await app.deps.db.models.Installment.update({ status: 'paid', paidPrincipalFen: 1_134_56, paidInterestFen: 100_00 }, { where: { id: inst.due! + 1 } });
    clock.ms = sh('2027-01-01T09:00:00');
    const before = fake.sends.length;
    await sms.sendDue();
    expect(await row(key)).toMatchObject({ status: 'cancelled', providerMessage: '该期已还清' });
    expect(fake.sends.length).toBe(before);
  });

  it('a ladder 待补充资料 SMS still waiting when the officer clears 待补充资料 is cancelled, not sent', async () => {
    clock.ms = sh('2027-01-01T09:30:00');
    await sms.queueOne(null, { businessKey: `ladder:${c.later!.id}:9:1`, customerId: c.later!.id, purpose: 'missing_documents' });
    const before = fake.sends.length;
    await sms.sendDue();
    expect(await row(`ladder:${c.later!.id}:9:1`)).toMatchObject({ status: 'cancelled', providerMessage: '资料已补齐(待补充资料已取消)' });
    expect(fake.sends.length).toBe(before);
  });

  it('a number corrected after the SMS was queued: it goes to the new number', async () => {
    clock.ms = sh('2027-01-01T09:40:00');
    const cc = await createCustomer(zw, { name: '改号客户' });
    await sms.queueOne(null, { businessKey: 'test:renumber', customerId: cc.id, purpose: 'missing_documents' });
    const phone = newPhone();
    expect((await zw.patch(`/api/v1/customers/${cc.id}`, { phone })).status).toBe(200);
    await sms.sendDue();
    expect(sendsTo(phone)).toBe(1);
    expect(sendsTo(cc.phone)).toBe(0);
    expect(await row('test:renumber')).toMatchObject({ status: 'sent', phoneLast4: phone.slice(-4) });
  });

  it('a wrong AccessKey secret is refused by the fake with SignatureDoesNotMatch and fails the message', async () => {
    const wrong = createSmsService(app.deps, {
      provider: (await import('../../bot/src/channels/sms/aliyun')).createAliyunSms({ accessKeyId: FAKE_ALIYUN.accessKeyId, accessKeySecret: 'wrong', signName: FAKE_ALIYUN.signName, endpoint: fake.url }),
    });
    clock.ms = sh('2027-01-01T10:00:00');
    await wrong.queueOne(null, { businessKey: 'test:settled:docs', customerId: c.settled!.id, purpose: 'missing_documents' });
    await wrong.sendDue();
    expect(await row('test:settled:docs')).toMatchObject({ status: 'failed', providerCode: 'SignatureDoesNotMatch' });
    expect(fake.rejected.at(-1)!.code).toBe('SignatureDoesNotMatch');
  });

  it('opt-out: validated, audited, cancels what waits, and later scans skip the customer', async () => {
    const bad = await zw.agent.put(`/api/v1/customers/${c.later!.id}/sms-opt-out`).set('X-Requested-With', 'XMLHttpRequest').send({ optOut: 'yes' });
    expectValidation(bad, 'optOut');
    clock.ms = sh('2026-12-07T08:05:00'); // 'later' is now due in 3 days
    await sms.queueOne(null, { businessKey: 'test:later:docs', customerId: c.later!.id, purpose: 'missing_documents' });
    const res = await zw.agent.put(`/api/v1/customers/${c.later!.id}/sms-opt-out`).set('X-Requested-With', 'XMLHttpRequest').send({ optOut: true });
    expect(res.status).toBe(200);
    expect((await row('test:later:docs')).status).toBe('cancelled');
    const r = await createSmsReminders(app.deps, sms).scan();
    expect(r.due).toMatchObject({ queued: 0, optedOut: 1 });
    const audit = await app.deps.db.models.AuditLog.count({ where: { action: 'sms_opt_out', entityId: String(c.later!.id) } });
    expect(audit).toBe(1);
  });
});

describe('SMS over Tencent Cloud', () => {
  const clock = new TestClock(sh('2026-12-01T10:00:00'));
  const fake = new FakeTencentSms(clock);
  let app: TestApp;
  let sms: SmsService;
  const ids: Record<string, { id: number; phone: string }> = {};
  const row = async (key: string) => (await app.deps.db.models.SmsMessage.findOne({ where: { businessKey: key }, raw: true }))!;

  beforeAll(async () => {
    const url = await fake.start();
    app = await createTestApp({
      build: { bot: { now: clock.now } },
      env: {
        SMS_PROVIDER: 'tencent', TENCENT_SMS_ENDPOINT: url, TENCENT_SMS_SECRET_ID: FAKE_TENCENT.secretId, TENCENT_SMS_SECRET_KEY: FAKE_TENCENT.secretKey,
        TENCENT_SMS_SDK_APP_ID: FAKE_TENCENT.sdkAppId, TENCENT_SMS_SIGN_NAME: FAKE_TENCENT.signName, TENCENT_SMS_REGION: FAKE_TENCENT.region,
        SMS_TEMPLATE_REPAYMENT_DUE: '2000001:name,seq,amount,dueDate', SMS_TEMPLATE_OVERDUE: '2000002:name,seq,amount,dueDate', SMS_TEMPLATE_MISSING_DOCUMENTS: '2000003:name',
      },
    });
    const zw = await app.loginAs('张伟');
    for (const k of ['a', 'b', 'bad']) {
      const cc = await createCustomer(zw, { name: `腾讯${k}` });
      ids[k] = { id: cc.id, phone: cc.phone };
    }
    fake.invalidNumbers.add(ids.bad!.phone);
    const zhangWei = await app.userId('张伟');
    await seedLoan(app, ids.a!.id, zhangWei, [{ dueOn: '2026-12-04' }]);
    sms = createSmsService(app.deps);
  });

  afterAll(async () => {
    await app?.close();
    await fake.stop();
  });

  it('sends with TC3 (verified by the fake), +86 numbers and positional params; keeps the SerialNo', async () => {
    await createSmsReminders(app.deps, sms).scan();
    const r = await sms.sendDue();
    expect(r).toMatchObject({ sent: 1 });
    expect(fake.rejected).toEqual([]);
    expect(fake.sends[0]).toMatchObject({ phone: ids.a!.phone, templateId: '2000001', params: ['腾讯a', '1', '1,234.56', '2026-12-04'] });
    const due = (await app.deps.db.models.SmsMessage.findOne({ where: { purpose: 'repayment_due' }, raw: true }))!;
    expect(due).toMatchObject({ status: 'sent', provider: 'tencent', providerCode: 'Ok', providerMessageId: fake.sends[0]!.serialNo });
  });

  it('LimitExceeded.PhoneNumberDailyLimit waits for tomorrow; IncorrectPhoneNumber marks the number', async () => {
    await sms.queueOne(null, { businessKey: 't:b', customerId: ids.b!.id, purpose: 'missing_documents' });
    await sms.queueOne(null, { businessKey: 't:bad', customerId: ids.bad!.id, purpose: 'missing_documents' });
    fake.failNext('LimitExceeded.PhoneNumberDailyLimit');
    await sms.sendDue();
    expect(await row('t:b')).toMatchObject({ status: 'throttled', providerCode: 'LimitExceeded.PhoneNumberDailyLimit' });
    expect(new Date((await row('t:b')).nextAttemptAt).getTime()).toBe(sh('2026-12-02T09:00:00'));
    expect(await row('t:bad')).toMatchObject({ status: 'invalid', providerCode: 'InvalidParameterValue.IncorrectPhoneNumber' });
    clock.ms = sh('2026-12-01T19:00:00');
    await sms.sendDue();
    expect(fake.sends.filter((s) => s.phone === ids.b!.phone)).toHaveLength(0);
    clock.ms = sh('2026-12-02T09:01:00');
    await sms.sendDue();
    await sms.sendDue();
    expect(fake.sends.filter((s) => s.phone === ids.b!.phone)).toHaveLength(1);
    expect(fake.sends.filter((s) => s.phone === ids.bad!.phone)).toHaveLength(0);
  });

  it('delivery reports (PullSmsSendStatus): delivered and failed, each stored once', async () => {
    fake.undeliverable.add(ids.b!.phone);
    const r = await sms.pollReceipts();
    expect(r).toMatchObject({ delivered: 1, failed: 1 });
    expect((await app.deps.db.models.SmsMessage.findOne({ where: { purpose: 'repayment_due' }, raw: true }))!).toMatchObject({ status: 'delivered', deliveryCode: '用户短信送达成功' });
    expect(await row('t:b')).toMatchObject({ status: 'failed', deliveryCode: '用户短信接收失败' });
    expect(await sms.pollReceipts()).toMatchObject({ checked: 0 }); // nothing waits any more: no call
  });

  it('a wrong SecretKey is refused (AuthFailure.SignatureFailure) and the message fails, not retried', async () => {
    const { createTencentSms } = await import('../../bot/src/channels/sms/tencent');
    const wrong = createSmsService(app.deps, { provider: createTencentSms({ secretId: FAKE_TENCENT.secretId, secretKey: 'wrong', sdkAppId: FAKE_TENCENT.sdkAppId, signName: FAKE_TENCENT.signName, region: FAKE_TENCENT.region, endpoint: fake.url }) });
    await wrong.queueOne(null, { businessKey: 't:a:docs', customerId: ids.a!.id, purpose: 'missing_documents' });
    await wrong.sendDue();
    expect(await row('t:a:docs')).toMatchObject({ status: 'failed', providerCode: 'AuthFailure.SignatureFailure' });
    expect(fake.rejected).toEqual(['AuthFailure.SignatureFailure']);
  });
});
