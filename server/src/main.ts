import { createApp } from './app';
import { boot } from './boot';
import { startBot } from '../../bot/src/index';
import { syncEmptyOrg } from './modules/orgsync/bootstrap';
import { attachBotHandle } from './modules/jobs/jobs.service';

const deps = await boot();
const { config, log } = deps;
const app = createApp(deps);
const server = app.listen(config.port, config.host, () => {
  const url = config.publicUrl;
  log.info({ url, db: deps.db.dialect }, 'listening');
  const lines = [
    '',
    `  信贷CRM 已启动: ${url}`,
    `  数据库: ${deps.db.dialect === 'sqlite' ? `SQLite (${config.db.sqlitePath})` : 'MySQL'}`,
    config.auth.devLogin ? `  登录: 打开 ${url}/login ,选择一位演示员工(如 信贷员 张伟)即可进入` : '  登录: 从企业微信/钉钉工作台打开',
    '',
  ];
  console.log(lines.join('\n'));
});

// A fresh install connected to WeCom/DingTalk: fetch the org once so someone can sign in.
syncEmptyOrg(deps).catch((err) => log.error({ err }, 'initial org sync failed'));

// The bot (outbox dispatcher + scheduled jobs) runs in this process unless BOT_ENABLED=false.
const bot = config.bot.enabled ? startBot(deps) : null;
if (bot) attachBotHandle(deps, bot); // the jobs admin's 立即运行 goes through it

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    server.close();
    // Let a dispatch pass finish so its claimed messages are marked before the database closes.
    void (bot?.stop() ?? Promise.resolve())
      .catch((err) => log.error({ err }, 'bot stop failed'))
      .finally(() => void deps.db.close().finally(() => process.exit(0)));
  });
}
