// The configured messengers: a shared token store and one API client per configured platform
// (null when that platform is not configured). Built once per app in buildDeps.
import type { Config } from '../../../../config';
import type { Models } from '../../db/models';
import { createTokenStore, type TokenStore, type TokenStoreOptions } from './token-store';
import { createWecomClient, type WecomClient, type WecomClientOptions } from './wecom/wecom.client';
import { createDingtalkClient, type DingtalkClient, type DingtalkClientOptions } from './dingtalk/dingtalk.client';

export interface Messengers {
  tokens: TokenStore;
  wecom: WecomClient | null;
  dingtalk: DingtalkClient | null;
}

export interface MessengerOptions {
  tokens?: TokenStoreOptions;
  wecom?: WecomClientOptions;
  dingtalk?: DingtalkClientOptions;
}

export function createMessengers(config: Config, models: Models, opts: MessengerOptions = {}): Messengers {
  const tokens = createTokenStore(models, opts.tokens);
  return {
    tokens,
    wecom: config.wecom ? createWecomClient(config.wecom, tokens, opts.wecom) : null,
    dingtalk: config.dingtalk ? createDingtalkClient(config.dingtalk, tokens, opts.dingtalk) : null,
  };
}
