// JS-SDK page signatures (reference W3, D3). Both platforms sign
//   sha1hex("jsapi_ticket=" + T + "&noncestr=" + N + "&timestamp=" + TS + "&url=" + URL)
// and differ only in the URL: WeCom signs the page URL exactly as the page has it minus `#…`;
// DingTalk (its official demo, GetConfigHandler) signs it with the query string URL-decoded.
import { getJsApiSignature } from '@wecom/crypto';

export interface JsapiSignInput {
  ticket: string;
  nonceStr: string;
  timestamp: number;
  url: string;
}

/** The page URL without its fragment (the client never sends the fragment anyway). */
export function stripFragment(url: string): string {
  const i = url.indexOf('#');
  return i === -1 ? url : url.slice(0, i);
}

/** WeCom wx.config / wx.agentConfig signature. */
export function wecomJsapiSignature(input: JsapiSignInput): string {
  return getJsApiSignature({ url: stripFragment(input.url), ticket: input.ticket, nonceStr: input.nonceStr, timestamp: input.timestamp }).signature;
}

/**
 * The URL DingTalk signs: no fragment, query decoded like Java's URLDecoder ("+" is a space).
 * Throws URIError on a malformed escape.
 */
export function dingtalkSignedUrl(url: string): string {
  const bare = stripFragment(url);
  const q = bare.indexOf('?');
  if (q === -1) return bare;
  return `${bare.slice(0, q)}?${decodeURIComponent(bare.slice(q + 1).replace(/\+/g, ' '))}`;
}

/** DingTalk dd.config signature. */
export function dingtalkJsapiSignature(input: JsapiSignInput): string {
  return getJsApiSignature({ url: dingtalkSignedUrl(input.url), ticket: input.ticket, nonceStr: input.nonceStr, timestamp: input.timestamp }).signature;
}
