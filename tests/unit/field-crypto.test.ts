// Encryption at rest (AES-256-GCM) and the keyed blind index beside it (C30).
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createFieldCrypto } from '../../server/src/modules/crypto/field-crypto';

const key = Buffer.alloc(32, 1);
const fc = createFieldCrypto(key, 'hash-key-for-tests-0123456789abcdef');

/** Flips one bit of the decoded payload at `offset` (0-11 IV, 12-27 tag, 28+ ciphertext). */
function flip(stored: string, offset: number): string {
  const raw = Buffer.from(stored.slice(3), 'base64');
  raw[offset] ^= 0x01;
  return `v1:${raw.toString('base64')}`;
}

describe('encrypt / decrypt', () => {
  it.each([['13800138000'], ['11010519491231002X'], ['张三 · 杭州市西湖区'], [''], ['x'.repeat(5000)]])('round-trips %j', (plain) => {
    const stored = fc.encrypt(plain);
    expect(stored).toMatch(/^v1:[A-Za-z0-9+/]+=*$/);
    expect(stored).not.toContain(plain || '\u0000');
    expect(fc.decrypt(stored)).toBe(plain);
  });

  it('uses a fresh IV each time, so equal values do not look equal', () => {
    const a = fc.encrypt('13800138000');
    const b = fc.encrypt('13800138000');
    expect(a).not.toBe(b);
    expect(Buffer.from(a.slice(3), 'base64').subarray(0, 12)).not.toEqual(Buffer.from(b.slice(3), 'base64').subarray(0, 12));
    expect(fc.decrypt(a)).toBe(fc.decrypt(b));
  });

  it('fits the 255-character column for an ID number', () => {
    expect(fc.encrypt('11010519491231002X').length).toBeLessThanOrEqual(255);
  });

  it('detects tampering with the IV, the tag or the ciphertext', () => {
    const stored = fc.encrypt('13800138000');
    for (const offset of [0, 11, 12, 27, 28, 38]) expect(() => fc.decrypt(flip(stored, offset)), `byte ${offset}`).toThrow();
    // Truncation and extension too.
    expect(() => fc.decrypt(stored.slice(0, -4))).toThrow();
    expect(() => fc.decrypt(`v1:${Buffer.concat([Buffer.from(stored.slice(3), 'base64'), Buffer.from('00', 'hex')]).toString('base64')}`)).toThrow();
  });

  it('refuses another key, an unknown version, or no body', () => {
    const stored = fc.encrypt('13800138000');
    expect(() => createFieldCrypto(Buffer.alloc(32, 2), 'hash-key-for-tests-0123456789abcdef').decrypt(stored)).toThrow();
    expect(() => fc.decrypt(stored.replace(/^v1:/, 'v2:'))).toThrow('unknown ciphertext format');
    expect(() => fc.decrypt('v1:')).toThrow('unknown ciphertext format');
    expect(() => fc.decrypt('13800138000')).toThrow('unknown ciphertext format');
  });

  it('requires a 32-byte key', () => {
    expect(() => createFieldCrypto(Buffer.alloc(16), 'k')).toThrow('32 bytes');
    expect(() => createFieldCrypto(Buffer.alloc(33), 'k')).toThrow('32 bytes');
  });

  it('interoperates with plain AES-256-GCM (format: base64(iv ‖ tag ‖ ciphertext))', () => {
    const raw = Buffer.from(fc.encrypt('13912345678').slice(3), 'base64');
    const d = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(12, 28));
    expect(Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8')).toBe('13912345678');
  });
});

describe('blind index', () => {
  it('is deterministic: 64 hex digits, the same for the same value', () => {
    const a = fc.blindIndex('phone', '13800138000');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(fc.blindIndex('phone', '13800138000')).toBe(a);
    expect(createFieldCrypto(Buffer.alloc(32, 9), 'hash-key-for-tests-0123456789abcdef').blindIndex('phone', '13800138000')).toBe(a);
  });

  it('separates domains: the same string as phone, ID or blacklist gives different hashes', () => {
    const v = '13800138000';
    const hashes = new Set([fc.blindIndex('phone', v), fc.blindIndex('idNumber', v), fc.blindIndex('blacklist', v)]);
    expect(hashes.size).toBe(3);
  });

  it('depends on the hash key and is not a bare hash of the value', () => {
    const v = '13800138000';
    expect(createFieldCrypto(key, 'another-hash-key-0123456789abcdef').blindIndex('phone', v)).not.toBe(fc.blindIndex('phone', v));
    expect(fc.blindIndex('phone', v)).not.toBe(crypto.createHash('sha256').update(v).digest('hex'));
    expect(fc.blindIndex('phone', v)).not.toBe(crypto.createHash('sha256').update(`phone:${v}`).digest('hex'));
    expect(fc.blindIndex('phone', v)).toBe(crypto.createHmac('sha256', 'hash-key-for-tests-0123456789abcdef').update(`phone:${v}`).digest('hex'));
  });

  it('different values differ', () => {
    expect(fc.blindIndex('phone', '13800138000')).not.toBe(fc.blindIndex('phone', '13800138001'));
  });
});
