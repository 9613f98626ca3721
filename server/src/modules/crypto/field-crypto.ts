// Encryption at rest for sensitive fields (C30): AES-256-GCM for the value, and an HMAC-SHA256
// "blind index" beside it so exact search and de-duplication work without decrypting.
// Node's crypto does both directly; no library adds anything here.
import crypto from 'node:crypto';

const VERSION = 'v1';

export interface FieldCrypto {
  encrypt(plain: string): string;
  decrypt(stored: string): string;
  /** Keyed hash of a normalised value; `kind` separates domains so a phone never matches an ID. */
  blindIndex(kind: 'phone' | 'idNumber' | 'blacklist', normalized: string): string;
}

export function createFieldCrypto(encryptionKey: Buffer, hashKey: string): FieldCrypto {
  if (encryptionKey.length !== 32) throw new Error('encryption key must be 32 bytes');
  return {
    encrypt(plain) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', encryptionKey, iv);
      const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64')}`;
    },
    decrypt(stored) {
      const [version, body] = stored.split(':', 2);
      if (version !== VERSION || !body) throw new Error('unknown ciphertext format');
      const raw = Buffer.from(body, 'base64');
      const decipher = crypto.createDecipheriv('aes-256-gcm', encryptionKey, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
    blindIndex(kind, normalized) {
      return crypto.createHmac('sha256', hashKey).update(`${kind}:${normalized}`).digest('hex');
    },
  };
}
