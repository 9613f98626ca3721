import { get } from '@/utils/request';

export interface SignatureData {
  timestamp: number;
  nonceStr: string;
  signature: string;
}

export interface JssdkConfig {
  wecom?: { corpId: string; agentId: number; config: SignatureData; agentConfig: SignatureData };
  dingtalk?: { agentId: number; corpId: string; timeStamp: number; nonceStr: string; signature: string; type: 0 };
}

export interface ChatTarget {
  id: number;
  name: string;
  wecomUserid: string | null;
  dingtalkUserid: string | null;
}

export const messengerApi = {
  /** Signatures for the page at `url` (location.href; the server drops the #fragment). */
  jssdkConfig: (url: string, platform: 'wecom' | 'dingtalk') => get<JssdkConfig>('/messenger/jssdk-config', { params: { url, platform }, silent: true }),
  chatTarget: (userId: number) => get<ChatTarget>(`/messenger/chat-target/${userId}`, { silent: true }),
};
