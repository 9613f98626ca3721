// Small text helpers shared by the channel renderers: byte-safe truncation (messenger limits are
// in UTF-8 bytes and a Chinese character is 3), links into the H5, and stable per-message ids.
import crypto from 'node:crypto';
import type { BotPayload } from '../../../server/src/contracts/bot';

export const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');

/** Cuts `s` to at most `max` UTF-8 bytes on a character boundary, ending with "…" when cut. */
export function truncateBytes(s: string, max: number, ellipsis = '…'): string {
  if (byteLength(s) <= max) return s;
  const room = max - byteLength(ellipsis);
  let out = '';
  let used = 0;
  for (const ch of s) {
    const b = byteLength(ch);
    if (used + b > room) break;
    out += ch;
    used += b;
  }
  return room >= 0 ? out + ellipsis : '';
}

/** Cuts `s` to at most `max` characters (code points). */
export function truncateChars(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : chars.slice(0, max).join('');
}

/** A payload link: a path inside the H5 gets PUBLIC_URL in front; full URLs stay as they are. */
export function absoluteUrl(publicUrl: string, url: string): string {
  if (/^https?:\/\//i.test(url)) return url;
  return `${publicUrl}${url.startsWith('/') ? '' : '/'}${url}`;
}

/** Adds a query parameter to a URL (keeping a fragment at the end). */
export function withParam(url: string, key: string, value: string): string {
  const [base, hash] = url.split('#', 2);
  const sep = base.includes('?') ? '&' : '?';
  return `${base}${sep}${encodeURIComponent(key)}=${encodeURIComponent(value)}${hash !== undefined ? `#${hash}` : ''}`;
}

/** Stable id for one message derived from its idem key (WeCom task_id, DingTalk outTrackId). */
export function messageRef(idemKey: string): string {
  return `crm_${crypto.createHash('sha256').update(idemKey).digest('base64url').slice(0, 40)}`;
}

/** "label:value" lines of a payload's fields. */
export function fieldLines(p: BotPayload): string[] {
  return (p.fields ?? []).slice(0, 6).map((f) => `${f.label}:${f.value}`);
}

export const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
