// A bot process killed mid-dispatch loses nothing (C26): a dispatcher in a child process shares
// the MySQL database with this test; it is SIGKILLed while a batched WeCom call has been
// delivered but not yet answered. Its claimed rows come free when their lease runs out, another
// dispatcher sends them, and WeCom's duplicate check keeps the re-sent batch from reaching
// anybody twice. MySQL only: two processes on one embedded SQLite file is not how it runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOT_WORKER_FILE, createBotTestApp, testDispatcher, textPayload, type BotTestApp } from '../helpers/bot-worker';
import { wecomEnv } from '../helpers/messenger-app';
import { TEST_DB } from '../helpers/test-app';
import { count } from '../helpers/fixtures';

describe.runIf(TEST_DB === 'mysql')('a dispatcher killed mid-dispatch', () => {
  let t: BotTestApp;
  let child: ChildProcess | null = null;
  const extra = Array.from({ length: 30 }, (_, i) => `crash-${i}`);

  beforeAll(async () => {
    t = await createBotTestApp({ wecom: true });
    for (const u of extra) t.wecom!.addUser({ userid: u, name: u, department: [1] });
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await t?.close();
  });

  it('loses nothing and delivers every message exactly once', async () => {
    const staff = [...t.wecomIds.values()];
    const one = (r: string, i: number) => ({ idemKey: `crash:${r}:${i}`, channel: 'wecom_app' as const, kind: 'crash', recipient: r, payload: textPayload(`给 ${r} 的第${i}条`) });
    // 10 single messages, then one notice to all 18 staff (one batched call), then 20 more singles.
    await t.deps.db.transaction((tx) => t.deps.bot.enqueue(tx, extra.slice(0, 10).map((r) => one(r, 1))));
    await t.deps.db.transaction((tx) => t.deps.bot.enqueue(tx, staff.map((r) => ({ idemKey: `crash:notice:${r}`, channel: 'wecom_app' as const, kind: 'crash', recipient: r, payload: textPayload('全员通知') }))));
    await t.deps.db.transaction((tx) => t.deps.bot.enqueue(tx, extra.slice(10).map((r) => one(r, 1))));
    const total = 10 + staff.length + 20;

    const msgs = t.wecomMessages!;
    // The 12th delivery is inside the batched notice: hold that call's answer so the child is
    // killed after WeCom delivered the batch but before the child could mark it sent.
    msgs.onDelivered = () => {
      if (msgs.delivered.length === 12) msgs.answerDelayMs = 30_000;
    };
    child = spawn(process.execPath, ['--import', 'tsx', BOT_WORKER_FILE], {
      env: { ...process.env, ...wecomEnv(t.wecom!), DATABASE_URL: t.config.db.url, PUBLIC_URL: t.config.publicUrl, AUTH_DEV_LOGIN: 'true', DEMO_DATA: 'false' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    const deadline = Date.now() + 30_000;
    while (msgs.delivered.length < 12 + staff.length - 2) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`child did not get going: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    child = null;
    msgs.answerDelayMs = 0;
    msgs.onDelivered = null;

    // Killed mid-dispatch: some rows marked sent, the rest still claimed by the dead process.
    const sentByChild = await count(t, 'bot_messages', "kind = 'crash' AND status = 'sent'");
    expect(sentByChild).toBe(10);
    expect(await count(t, 'bot_messages', "kind = 'crash' AND status = 'sending'")).toBe(total - 10);
    expect(msgs.delivered.length).toBe(10 + staff.length);

    // Another dispatcher, once the dead one's lease ran out (its clock 10 minutes on).
    const later = testDispatcher(t, { now: () => Date.now() + 10 * 60_000 });
    const early = testDispatcher(t, { now: () => Date.now() });
    expect((await early.runOnce()).claimed).toBe(0); // the lease still holds them
    await later.drain();

    expect(await count(t, 'bot_messages', "kind = 'crash' AND status = 'sent'")).toBe(total);
    const perRecipient = new Map<string, number>();
    for (const d of msgs.delivered) perRecipient.set(d.recipient, (perRecipient.get(d.recipient) ?? 0) + 1);
    expect(perRecipient.size).toBe(total);
    expect(Math.max(...perRecipient.values())).toBe(1);
    // The batch really went out twice; WeCom's duplicate check swallowed the second one.
    expect(msgs.duplicates.map((d) => d.recipient).sort()).toEqual([...staff].sort());
    expect(msgs.dropped).toEqual([]);
  });
});
