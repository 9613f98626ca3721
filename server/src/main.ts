import { createApp } from './app';
import { boot } from './boot';

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

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    server.close();
    void deps.db.close().finally(() => process.exit(0));
  });
}
