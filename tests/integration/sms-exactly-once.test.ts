// SMS exactly once (C18) with two app instances on one MySQL database and a fake Aliyun that
// records every accepted SMS: both bots run the reminder and sender jobs at the same moment (twice),
// then three senders run at once without the job lease (row claims alone); every installment's
// customer gets exactly one SMS. A restart (fresh services) sends nothing more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createTestApp, TEST_DB, type TestApp } from '../helpers/test-app';
import { createCustomer } from '../helpers/fixtures';
import { buildDeps } from '../../server/src/app';
import type { Deps } from '../../server/src/deps';
import { startBot, type BotHandle } from '../../bot/src/index';
import { repaymentSmsJob } from '../../bot/src/jobs/repayment-sms.job';
import { smsSendJob } from '../../bot/src/jobs/sms-send.job';
import { createSmsService } from '../../server/src/modules/sms/sms.service';
import { createSmsReminders } from '../../server/src/modules/sms/sms.reminders';
import { TestClock } from '../fakes/fake-http';
import { FAKE_ALIYUN, FakeAliyunSms } from '../fakes/sms/aliyun';
import { seedLoan } from '../helpers/sms';

const N = 24;
const clock = new TestClock(Date.parse('2026-12-01T09:30:00+08:00'));
const fake = new FakeAliyunSms(clock);
let a: TestApp;
let depsB: Deps;
let bots: BotHandle[] = [];
const phones: string[] = [];

describe.skipIf(TEST_DB !== 'mysql')('SMS exactly once across two instances (MySQL)', () => {
  beforeAll(async () => {
    const url = await fake.start();
    a = await createTestApp({
      build: { bot: { now: clock.now } },
      env: {
        BOT_DISPATCH_INTERVAL_MS: '600000', SMS_PROVIDER: 'aliyun', ALIYUN_SMS_ENDPOINT: url, ALIYUN_SMS_ACCESS_KEY_ID: FAKE_ALIYUN.accessKeyId,
        ALIYUN_SMS_ACCESS_KEY_SECRET: FAKE_ALIYUN.accessKeySecret, ALIYUN_SMS_SIGN_NAME: FAKE_ALIYUN.signName,
        SMS_TEMPLATE_REPAYMENT_DUE: 'SMS_100000001:name,seq,amount,dueDate', SMS_TEMPLATE_OVERDUE: 'SMS_100000002:name,seq,amount,dueDate', SMS_TEMPLATE_MISSING_DOCUMENTS: 'SMS_100000003:name',
      },
    });
    depsB = buildDeps(a.config, { bot: { now: clock.now }, log: pino({ level: 'silent' }) });
    const zw = await a.loginAs('张伟');
    const owner = await a.userId('张伟');
    for (let i = 0; i < N; i++) {
      const c = await createCustomer(zw, { name: `双实例短信${i}` });
      phones.push(c.phone);
      // Half due in 3 days, half overdue since yesterday: both purposes.
      await seedLoan(a, c.id, owner, [{ dueOn: i % 2 ? '2026-12-04' : '2026-11-30', status: i % 2 ? 'pending' : 'overdue' }]);
    }
  });
  afterAll(async () => {
    for (const b of bots) await b.stop();
    await depsB?.db.close();
    await a?.close();
    await fake.stop();
  });

  it('two bots run both jobs at once, twice: one SMS per installment', async () => {
    bots = [startBot(a.deps, { jobs: [repaymentSmsJob, smsSendJob] }), startBot(depsB, { jobs: [repaymentSmsJob, smsSendJob] })];
    for (let round = 0; round < 2; round++) {
      expect(await Promise.all(bots.map((b) => b.runJob('repayment-sms')))).toContain(true);
      expect(await Promise.all(bots.map((b) => b.runJob('sms-send')))).toContain(true);
    }
    expect(await a.deps.db.models.SmsMessage.count()).toBe(N);
    expect(fake.sends).toHaveLength(N);
    expect(new Set(fake.sends.map((s) => s.phone)).size).toBe(N);
    expect(new Set(fake.sends.map((s) => s.outId)).size).toBe(N);
    const lease = await a.deps.db.models.JobLease.findByPk('sms-send', { raw: true });
    expect(lease).toMatchObject({ owner: null, leaseUntil: null, lastOutcome: 'ok' });
  });

  it('scans and senders racing without the lease still queue and send each once (row claims)', async () => {
    // A new day's messages for every customer: the ladder-style purpose, queued by two scanners.
    clock.ms = Date.parse('2026-12-02T10:30:00+08:00');
    const ids = (await a.deps.db.models.Customer.findAll({ attributes: ['id'], raw: true })).map((c) => Number(c.id));
    const inputs = ids.map((id) => ({ businessKey: `race:${id}`, customerId: id, purpose: 'missing_documents' as const }));
    await Promise.all([createSmsService(a.deps).queue(null, inputs), createSmsService(depsB).queue(null, inputs)]);
    expect(await a.deps.db.models.SmsMessage.count({ where: { purpose: 'missing_documents' } })).toBe(N);
    const results = await Promise.all([createSmsService(a.deps).sendDue(), createSmsService(depsB).sendDue(), createSmsService(a.deps).sendDue()]);
    expect(results.reduce((s, r) => s + r.claimed, 0)).toBe(N);
    expect(fake.sends.filter((s) => s.templateCode === 'SMS_100000003')).toHaveLength(N);
    const rows = await a.deps.db.models.SmsMessage.findAll({ where: { purpose: 'missing_documents' }, raw: true });
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
  });

  it('after a restart (fresh services, later the same day) nothing is queued or sent again', async () => {
    clock.ms = Date.parse('2026-12-01T15:00:00+08:00');
    const before = fake.sends.length;
    const r = await createSmsReminders(depsB, createSmsService(depsB)).scan();
    expect(r.due.queued + r.overdue.queued).toBe(0);
    await createSmsService(depsB).sendDue();
    expect(fake.sends.length).toBe(before);
  });
});
