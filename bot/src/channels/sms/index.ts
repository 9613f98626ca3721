// The configured SMS provider (SMS_PROVIDER): console, Aliyun or Tencent Cloud.
import type { Logger } from 'pino';
import type { Config } from '../../../../config';
import type { SmsProvider } from './provider';
import { createAliyunSms } from './aliyun';
import { createTencentSms } from './tencent';
import { createConsoleSms } from './console';

export function createSmsProvider(config: Config, log: Logger, opts: { now?: () => number } = {}): SmsProvider {
  const { sms } = config;
  if (sms.provider === 'aliyun' && sms.aliyun) return createAliyunSms(sms.aliyun, opts);
  if (sms.provider === 'tencent' && sms.tencent) return createTencentSms(sms.tencent, opts);
  return createConsoleSms(log);
}
