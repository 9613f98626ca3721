// Where application documents' bytes live. On disk under APPLICATION_FILES_DIR by default;
// anything with the same three methods (object storage, say) can replace it. Keys are generated
// by the server (never from a file name), so a key cannot climb out of the directory.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';

export interface DocumentStorage {
  put(key: string, data: Buffer): Promise<void>;
  /** A stream of the stored bytes; rejects when the key is unknown. */
  open(key: string): Promise<Readable>;
  remove(key: string): Promise<void>;
}

const KEY = /^[a-z0-9/_.-]{1,200}$/;

/** A fresh key such as `applications/12/3f9c…e1.jpg`. */
export function newDocumentKey(applicationId: number, ext: string): string {
  return `applications/${applicationId}/${crypto.randomBytes(16).toString('hex')}.${ext}`;
}

export function createDiskStorage(root: string): DocumentStorage {
  const base = path.resolve(root);
  const fileOf = (key: string) => {
    if (!KEY.test(key) || key.includes('..')) throw new Error(`bad storage key ${key}`);
    return path.join(base, key);
  };
  return {
    async put(key, data) {
      const file = fileOf(key);
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      // Write then rename: a reader never sees half a file.
      const tmp = `${file}.${process.pid}.tmp`;
      await fs.promises.writeFile(tmp, data, { mode: 0o640 });
      await fs.promises.rename(tmp, file);
    },
    async open(key) {
      const file = fileOf(key);
      await fs.promises.access(file, fs.constants.R_OK);
      return fs.createReadStream(file);
    },
    async remove(key) {
      await fs.promises.rm(fileOf(key), { force: true });
    },
  };
}
