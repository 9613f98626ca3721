// A test app wired to the fake WeCom and/or DingTalk servers: base URLs point at the fakes, the
// token store and clients run on the fakes' test clock, and busy-retry delays are shortened.
import { FakeWecom } from '../fakes/wecom/fake-wecom';
import { FakeDingtalk } from '../fakes/dingtalk/fake-dingtalk';
import { TestClock } from '../fakes/fake-http';
import { createTestApp, type TestApp } from './test-app';

export interface MessengerTestApp extends TestApp {
  clock: TestClock;
  wecom: FakeWecom | null;
  dingtalk: FakeDingtalk | null;
}

export function wecomEnv(fake: FakeWecom): Record<string, string> {
  return {
    WECOM_CORP_ID: fake.corp.corpId,
    WECOM_AGENT_ID: String(fake.corp.agentId),
    WECOM_SECRET: fake.corp.secret,
    WECOM_CALLBACK_TOKEN: fake.corp.callbackToken,
    WECOM_ENCODING_AES_KEY: fake.corp.encodingAesKey,
    WECOM_API_BASE: fake.url,
    WECOM_OAUTH_BASE: fake.url,
    WECOM_LOGIN_BASE: fake.url,
  };
}

export function dingtalkEnv(fake: FakeDingtalk): Record<string, string> {
  return {
    DINGTALK_CORP_ID: fake.app.corpId,
    DINGTALK_AGENT_ID: String(fake.app.agentId),
    DINGTALK_CLIENT_ID: fake.app.clientId,
    DINGTALK_CLIENT_SECRET: fake.app.clientSecret,
    DINGTALK_OAPI_BASE: fake.url,
    DINGTALK_API_BASE: fake.url,
    DINGTALK_CALLBACK_TOKEN: fake.app.callbackToken,
    DINGTALK_CALLBACK_AES_KEY: fake.app.callbackAesKey,
  };
}

/**
 * Starts the requested fakes on loopback (sharing one test clock) and an app configured for them.
 * `close()` stops the fakes too.
 */
export async function createMessengerTestApp(
  opts: { wecom?: boolean; dingtalk?: boolean; env?: Record<string, string>; seed?: boolean; clock?: TestClock } = { wecom: true },
): Promise<MessengerTestApp> {
  const clock = opts.clock ?? new TestClock();
  const wecom = opts.wecom ? new FakeWecom({ clock }) : null;
  const dingtalk = opts.dingtalk ? new FakeDingtalk({ clock }) : null;
  if (wecom) await wecom.start();
  if (dingtalk) await dingtalk.start();
  const env = { ...(wecom ? wecomEnv(wecom) : {}), ...(dingtalk ? dingtalkEnv(dingtalk) : {}), PUBLIC_URL: 'http://127.0.0.1:3000', AUTH_DEV_LOGIN: 'true', ...opts.env };
  const app = await createTestApp({
    env,
    seed: opts.seed,
    build: {
      messengers: {
        tokens: { now: clock.now, pollMs: 10 },
        wecom: { busyRetryDelaysMs: [1, 2, 4] },
        dingtalk: { now: clock.now },
      },
      // The outbox stamps and dispatches on the fakes' clock too.
      bot: { now: clock.now },
    },
  });
  return {
    ...app,
    clock,
    wecom,
    dingtalk,
    async close() {
      await app.close();
      await wecom?.stop();
      await dingtalk?.stop();
    },
  };
}
