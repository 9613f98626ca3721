// Where the H5 thinks it runs, from real user agents: WeCom (mobile and desktop) carries both
// "wxwork" and "MicroMessenger", WeChat only the latter, DingTalk "DingTalk".
import { describe, expect, it } from 'vitest';
import { detectMessenger } from '../../h5/src/utils/messenger';

describe('detectMessenger', () => {
  it.each([
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 wxwork/4.1.0 MicroMessenger/7.0.1 Language/zh', 'wecom'],
    ['Mozilla/5.0 (Linux; Android 13; V2227A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 wxwork/4.1.20 MicroMessenger/7.0.1 NetType/WIFI Language/zh', 'wecom'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.138 Safari/537.36 wxwork/4.1.0 (MicroMessenger/6.2) WindowsWechat', 'wecom'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 AliApp(DingTalk/7.0.50) com.laiwang.DingTalk/31339455 Channel/201200 language/zh-Hans-CN', 'dingtalk'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) DingTalk(7.0.40-macOS) nw Channel/201200', 'dingtalk'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2d) NetType/WIFI Language/zh_CN', 'browser'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36', 'browser'],
  ])('%s → %s', (ua, env) => {
    expect(detectMessenger(ua)).toBe(env);
  });
});
