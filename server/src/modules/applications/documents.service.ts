// Application documents: photos and PDFs uploaded from the phone (type checked by the file's own
// first bytes, size capped by APPLICATION_MAX_FILE_MB), stored through DocumentStorage, and
// served only to people who may see the application. Every upload is on the trail; every
// download is audited (ID cards and bank statements are sensitive).
import type { Readable } from 'node:stream';
import crypto from 'node:crypto';
import type { Deps } from '../../deps';
import type { RequestContext } from '../../http/context';
import { AppError, notFound, ValidationError } from '../../http/errors';
import { DOCUMENT_MIME_TYPES, MAX_DOCUMENTS_PER_APPLICATION, type DocumentKind, type DocumentMime } from '../../contracts/applications';
import type { ApplicationService } from './application.service';
import { newDocumentKey, type DocumentStorage } from './documents.storage';
import { toDocumentView } from './application.view';

/** Whether the bytes really are what the declared type says (a renamed .exe is not a JPEG). */
export function sniffMatches(mime: DocumentMime, b: Buffer): boolean {
  const ascii = (from: number, to: number) => b.subarray(from, to).toString('latin1');
  switch (mime) {
    case 'image/jpeg':
      return b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
    case 'image/png':
      return b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    case 'image/webp':
      return ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP';
    case 'image/heic':
      return ascii(4, 8) === 'ftyp' && ['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1'].includes(ascii(8, 12));
    case 'application/pdf':
      return ascii(0, 5) === '%PDF-';
  }
}

/** Reads a request body, refusing it as soon as it passes `max` bytes. */
async function readCapped(body: AsyncIterable<Buffer | string>, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > max) throw tooLarge(max);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

const tooLarge = (max: number) => new AppError(413, 'DOCUMENT_TOO_LARGE', `文件不能超过 ${Math.round(max / 1024 / 1024)} MB`);

export interface UploadRequest {
  contentType: string;
  contentLength?: number;
  body: AsyncIterable<Buffer | string>;
}

export function createDocumentService(deps: Pick<Deps, 'db' | 'config' | 'org' | 'audit'>, applications: ApplicationService, storage: DocumentStorage) {
  const { db, config, org, audit } = deps;
  const { Application, ApplicationDocument, ApplicationAction } = db.models;
  const max = config.applications.maxFileBytes;

  return {
    async upload(rc: RequestContext, applicationId: number, q: { name: string; kind: DocumentKind }, req: UploadRequest) {
      await applications.findReadable(rc.actor, applicationId);
      const mime = req.contentType.split(';')[0].trim().toLowerCase();
      if (!(mime in DOCUMENT_MIME_TYPES)) throw new AppError(415, 'DOCUMENT_TYPE_NOT_ALLOWED');
      if (req.contentLength && req.contentLength > max) throw tooLarge(max);
      const data = await readCapped(req.body, max);
      if (data.length === 0) throw new ValidationError([{ field: 'file', message: '文件是空的' }]);
      if (!sniffMatches(mime as DocumentMime, data)) throw new AppError(415, 'DOCUMENT_TYPE_NOT_ALLOWED', '文件内容与类型不符:只能上传 JPG、PNG、WebP、HEIC 图片或 PDF 文件');
      const key = newDocumentKey(applicationId, DOCUMENT_MIME_TYPES[mime as DocumentMime]);
      await storage.put(key, data);
      try {
        const doc = await db.transaction(async (t) => {
          const app = await Application.findByPk(applicationId, { transaction: t, lock: t.LOCK.UPDATE });
          if (!app) throw notFound('进件不存在或无权查看');
          const count = await ApplicationDocument.count({ where: { applicationId }, transaction: t });
          if (count >= MAX_DOCUMENTS_PER_APPLICATION) throw new AppError(409, 'DOCUMENT_LIMIT_REACHED', `每个进件最多上传 ${MAX_DOCUMENTS_PER_APPLICATION} 个文件`);
          const d = await ApplicationDocument.create(
            { applicationId, uploaderId: rc.actor.id, kind: q.kind, fileName: q.name, mime, sizeBytes: data.length, sha256: crypto.createHash('sha256').update(data).digest('hex'), storageKey: key },
            { transaction: t },
          );
          await ApplicationAction.create(
            { applicationId, round: app.round, actorId: rc.actor.id, action: 'attach', data: { documentId: Number(d.id), fileName: q.name, kind: q.kind } },
            { transaction: t },
          );
          return d;
        });
        const users = await org.usersByIds([doc.uploaderId]);
        return toDocumentView(doc, (id) => (id ? (users.get(id)?.name ?? null) : null));
      } catch (err) {
        await storage.remove(key).catch(() => {});
        throw err;
      }
    },

    async open(rc: RequestContext, applicationId: number, documentId: number): Promise<{ mime: string; fileName: string; sizeBytes: number; stream: Readable }> {
      await applications.findReadable(rc.actor, applicationId);
      const doc = await ApplicationDocument.findOne({ where: { id: documentId, applicationId } });
      if (!doc) throw notFound('文件不存在或无权查看');
      const stream = await storage.open(doc.storageKey).catch(() => {
        throw notFound('文件已丢失,请重新上传');
      });
      await audit.record(rc, { action: 'read_document', entityType: 'application', entityId: applicationId, after: { documentId, fileName: doc.fileName } });
      return { mime: doc.mime, fileName: doc.fileName, sizeBytes: doc.sizeBytes, stream };
    },
  };
}
export type DocumentService = ReturnType<typeof createDocumentService>;
