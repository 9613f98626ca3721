// Callback envelope crypto shared by WeCom callbacks (reference W6) and DingTalk HTTP event
// subscription (D7): AES-256-CBC over random16 ‖ uint32BE(len) ‖ msg ‖ receiveId (PKCS#7 to 32
// bytes) and msg_signature = sha1(sort(token, timestamp, nonce, encrypt)), via @wecom/crypto.
// Only the receive id differs: the WeCom corp id, the DingTalk AppKey.
import crypto from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';

/** Why a callback was refused; never processed, always logged. */
export type RejectReason = 'malformed' | 'signature' | 'stale_timestamp' | 'decrypt' | 'receive_id';

export class CallbackRejection extends Error {
  constructor(readonly reason: RejectReason, message: string) {
    super(message);
  }
}

export interface CallbackKeys {
  token: string;
  /** The 43-character EncodingAESKey / aes_key. */
  aesKey: string;
  /** WeCom corp id, or the DingTalk AppKey. */
  receiveId: string;
}

export interface SignedEnvelope {
  signature: string;
  timestamp: string;
  nonce: string;
  encrypt: string;
}

/** How far a callback's timestamp may be from our clock before it counts as a replay. */
export const MAX_SKEW_MS = 5 * 60_000;

const BASE64 = /^[A-Za-z0-9+/=\r\n]+$/;

export function signatureOf(token: string, timestamp: string, nonce: string, encrypted: string): string {
  return getSignature(token, timestamp, nonce, encrypted);
}

/** WeCom timestamps are seconds, DingTalk's milliseconds; both become ms (null if not a number). */
export function timestampMs(ts: string): number | null {
  if (!/^\d{1,16}$/.test(ts)) return null;
  const n = Number(ts);
  return n >= 1e12 ? n : n * 1000;
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase());
  const y = Buffer.from(b.toLowerCase());
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/**
 * Checks the signature, the timestamp and the receive id, and returns the plaintext.
 * Throws CallbackRejection; the caller answers 4xx and processes nothing.
 */
export function openEnvelope(keys: CallbackKeys, env: SignedEnvelope, nowMs: number, maxSkewMs = MAX_SKEW_MS): string {
  if (!env.signature || !env.timestamp || !env.nonce || !env.encrypt || !BASE64.test(env.encrypt)) {
    throw new CallbackRejection('malformed', 'missing or malformed msg_signature/timestamp/nonce/encrypt');
  }
  if (!sameHex(signatureOf(keys.token, env.timestamp, env.nonce, env.encrypt), env.signature)) {
    throw new CallbackRejection('signature', 'msg_signature does not match');
  }
  const at = timestampMs(env.timestamp);
  if (at === null || Math.abs(nowMs - at) > maxSkewMs) {
    throw new CallbackRejection('stale_timestamp', `timestamp ${env.timestamp} is more than ${maxSkewMs / 1000}s from now`);
  }
  let opened: { message: string; id: string };
  try {
    opened = decrypt(keys.aesKey, env.encrypt);
  } catch {
    throw new CallbackRejection('decrypt', 'cannot decrypt');
  }
  if (opened.id !== keys.receiveId) throw new CallbackRejection('receive_id', 'receive id does not match');
  return opened.message;
}

/** Encrypts and signs a reply (WeCom passive reply, DingTalk "success"). */
export function sealEnvelope(keys: CallbackKeys, message: string, at: { timestamp: string; nonce?: string }): SignedEnvelope {
  const nonce = at.nonce ?? crypto.randomBytes(8).toString('hex');
  const encrypted = encrypt(keys.aesKey, message, keys.receiveId);
  return { signature: signatureOf(keys.token, at.timestamp, nonce, encrypted), timestamp: at.timestamp, nonce, encrypt: encrypted };
}
