// The messenger JS-SDK for the pages that need the phone: photos of ID cards and documents, and a
// one-to-one chat with a colleague. WeCom: @wecom/jssdk `ww.register` with the server's config and
// agentConfig signatures (the SDK asks again when the page URL changes). DingTalk: `dd.config`
// per page URL. A plain browser gets a file input (camera on phones) and no chat.
// The SDKs are imported on first use only.
import { messengerApi, type JssdkConfig } from '@/api/messenger';
import type { AuthConfig } from '@/api/types';
import { useSessionStore } from '@/stores/session';
import { messengerEnv } from './messenger';

export interface CapturedPhoto {
  /** Displayable source: an object URL, a data URL, or the messenger's local resource id. */
  src: string;
  /** The file itself when the browser picked it. */
  file?: File;
}

async function config(): Promise<AuthConfig> {
  const cfg = await useSessionStore().authConfig();
  if (!cfg) throw new Error('网络异常,请稍后重试');
  return cfg;
}

// ---- WeCom ----
type WW = typeof import('@wecom/jssdk');
let wecom: Promise<WW> | null = null;

function wecomSdk(): Promise<WW> {
  wecom ??= (async () => {
    const cfg = await config();
    if (!cfg.wecom) throw new Error('未接入企业微信');
    const ww = await import('@wecom/jssdk');
    // One request per page URL serves both signatures.
    const signed = new Map<string, Promise<NonNullable<JssdkConfig['wecom']>>>();
    const sign = (url: string) => {
      let p = signed.get(url);
      if (!p) {
        p = messengerApi.jssdkConfig(url, 'wecom').then((r) => r.wecom!);
        p.catch(() => signed.delete(url));
        signed.set(url, p);
      }
      return p;
    };
    ww.register({
      corpId: cfg.wecom.corpId,
      agentId: cfg.wecom.agentId,
      jsApiList: ['chooseImage', 'getLocalImgData', 'previewImage', 'openEnterpriseChat'],
      getConfigSignature: async (url) => (await sign(url)).config,
      getAgentConfigSignature: async (url) => (await sign(url)).agentConfig,
    });
    return ww;
  })();
  wecom.catch(() => (wecom = null));
  return wecom;
}

// ---- DingTalk ----
type DD = typeof import('dingtalk-jsapi/entry/union');
let dingtalk: { url: string; ready: Promise<DD> } | null = null;

function dingtalkSdk(): Promise<DD> {
  const url = location.href.split('#')[0];
  if (dingtalk?.url === url) return dingtalk.ready;
  const ready = (async () => {
    const mod = await import('dingtalk-jsapi/entry/union');
    const dd = ((mod as unknown as { default?: DD }).default ?? mod) as DD;
    const { dingtalk: c } = await messengerApi.jssdkConfig(location.href, 'dingtalk');
    if (!c) throw new Error('未接入钉钉');
    await new Promise<void>((resolve, reject) => {
      dd.ready(resolve);
      dd.error((err: unknown) => reject(new Error(`钉钉 JS-SDK 鉴权失败:${JSON.stringify(err)}`)));
      dd.config({ ...c, jsApiList: ['biz.util.chooseImage', 'biz.chat.openSingleChat'] });
    });
    return dd;
  })();
  dingtalk = { url, ready };
  ready.catch(() => (dingtalk = null));
  return ready;
}

// ---- photos ----

/** A file input as the browser fallback; `capture` opens the rear camera on phones. */
function pickFiles(count: number): Promise<CapturedPhoto[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = 'image/*';
    input.setAttribute('capture', 'environment');
    input.multiple = count > 1;
    input.style.display = 'none';
    input.addEventListener('change', () => {
      const files = [...(input.files ?? [])].slice(0, count);
      input.remove();
      resolve(files.map((file) => ({ src: URL.createObjectURL(file), file })));
    });
    input.addEventListener('cancel', () => {
      input.remove();
      resolve([]);
    });
    document.body.appendChild(input);
    input.click();
  });
}

/**
 * Takes or picks up to `count` photos (ID card, documents). Call it straight from a tap: in a
 * plain browser the file dialog only opens inside the user's gesture.
 */
export async function choosePhotos(count = 9): Promise<CapturedPhoto[]> {
  if (messengerEnv === 'browser') return pickFiles(count);
  if (messengerEnv === 'wecom') {
    const ww = await wecomSdk();
    const { localIds } = await ww.chooseImage({ count, sizeType: [ww.SizeType.compressed], sourceType: [ww.SourceType.camera, ww.SourceType.album] });
    // Android shows a localId as <img src>; iOS (WKWebView) needs the image data.
    return Promise.all(
      localIds.map(async (localId) => {
        try {
          const { localData } = await ww.getLocalImgData({ localId });
          return { src: localData.startsWith('data:') ? localData : `data:image/jpeg;base64,${localData}` };
        } catch {
          return { src: localId };
        }
      }),
    );
  }
  await dingtalkSdk();
  const { default: chooseImage } = await import('dingtalk-jsapi/api/biz/util/chooseImage');
  const res = await chooseImage({ count, sourceType: ['camera', 'album'] });
  return (res.filePaths ?? []).map((src) => ({ src }));
}

// ---- chat ----

/** Whether this page can open a chat at all (only inside a messenger). */
export const canOpenChat = messengerEnv !== 'browser';

/** Opens a one-to-one chat with a colleague in the messenger the page runs in. */
export async function openChatWith(userId: number): Promise<void> {
  const target = await messengerApi.chatTarget(userId);
  if (messengerEnv === 'wecom') {
    if (!target.wecomUserid) throw new Error(`${target.name} 尚未关联企业微信账号`);
    const ww = await wecomSdk();
    await ww.openEnterpriseChat({ userIds: [target.wecomUserid], groupName: '' });
    return;
  }
  if (messengerEnv === 'dingtalk') {
    if (!target.dingtalkUserid) throw new Error(`${target.name} 尚未关联钉钉账号`);
    const cfg = await config();
    if (!cfg.dingtalk) throw new Error('未接入钉钉');
    await dingtalkSdk();
    const { default: openSingleChat } = await import('dingtalk-jsapi/api/biz/chat/openSingleChat');
    await openSingleChat({ corpId: cfg.dingtalk.corpId, userId: target.dingtalkUserid });
    return;
  }
  throw new Error('请在企业微信或钉钉中打开后发消息');
}
