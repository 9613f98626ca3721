// Application documents: photos and PDFs from the phone, stored on disk under
// APPLICATION_FILES_DIR; type checked by the bytes themselves, size capped, served only to people
// who may see the application, every download audited.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../helpers/test-app';
import { count, expectError, rows } from '../helpers/fixtures';
import { applicationInput, readyCustomer } from '../helpers/applications';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-files-'));
let t: TestApp;
let zhang: Client;
let wu: Client;
let li: Client;
let he: Client;
let sun: Client;
let appId: number;

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('JFIF fake body '.repeat(50))]);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);

function upload(as: Client, id: number, body: Buffer, type: string, name = '身份证正面.jpg', kind = 'id_card') {
  return as.agent
    .post(`/api/v1/applications/${id}/documents`)
    .query({ name, kind })
    .set('X-Requested-With', 'XMLHttpRequest')
    .set('Content-Type', type)
    .send(body);
}

function download(as: Client, id: number, docId: number) {
  return as.agent.get(`/api/v1/applications/${id}/documents/${docId}`).buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });
}

const filesOnDisk = () => (fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).filter((f) => fs.statSync(path.join(dir, String(f))).isFile()) : []);

beforeAll(async () => {
  t = await createTestApp({ env: { APPLICATION_FILES_DIR: dir, APPLICATION_MAX_FILE_MB: '1' } });
  [zhang, wu, li, he, sun] = await Promise.all(['张伟', '吴婷', '李娜', '何丹', '孙丽'].map((n) => t.loginAs(n)));
  const c = await readyCustomer(zhang);
  appId = (await zhang.post('/api/v1/applications', applicationInput(c.id))).body.id;
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('upload', () => {
  it('a photo from the phone is stored under the configured directory and listed on the application', async () => {
    const res = await upload(zhang, appId, JPEG, 'image/jpeg');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ kind: 'id_card', kindName: '身份证', fileName: '身份证正面.jpg', mime: 'image/jpeg', isImage: true, sizeBytes: JPEG.length, uploaderName: '张伟' });
    const [row] = await rows(t, 'SELECT storage_key, sha256 FROM application_documents WHERE id = ?', [res.body.id]);
    expect(String(row.storage_key)).toMatch(new RegExp(`^applications/${appId}/[0-9a-f]{32}\\.jpg$`));
    expect(fs.readFileSync(path.join(dir, String(row.storage_key)))).toEqual(JPEG);
    const detail = await zhang.get(`/api/v1/applications/${appId}`);
    expect(detail.body.documents.map((d: { id: number }) => d.id)).toEqual([res.body.id]);
    expect(detail.body.timeline.at(-1)).toMatchObject({ action: 'attach', actorName: '张伟', data: { fileName: '身份证正面.jpg' } });
  });

  it('PDF and PNG are accepted too', async () => {
    expect((await upload(zhang, appId, PDF, 'application/pdf', '银行流水.pdf', 'bank_statement')).status).toBe(201);
    expect((await upload(zhang, appId, PNG, 'image/png', '截图.png', 'other')).status).toBe(201);
  });

  it.each([
    ['a text file', Buffer.from('hello'), 'text/plain'],
    ['an executable', Buffer.from('MZ\x90\x00'), 'application/octet-stream'],
    ['a PDF claiming to be a JPEG', PDF, 'image/jpeg'],
    ['a script claiming to be a PDF', Buffer.from('<script>alert(1)</script>'), 'application/pdf'],
  ])('%s is refused with 415, nothing stored', async (_name, body, type) => {
    const docs = await count(t, 'application_documents');
    const files = filesOnDisk().length;
    const res = await upload(zhang, appId, body, type);
    expectError(res, 415, 'DOCUMENT_TYPE_NOT_ALLOWED');
    expect(res.body.error.message).toMatch(/JPG/);
    expect(await count(t, 'application_documents')).toBe(docs);
    expect(filesOnDisk()).toHaveLength(files);
  });

  it('a file over APPLICATION_MAX_FILE_MB is 413, nothing stored', async () => {
    const big = Buffer.concat([JPEG, Buffer.alloc(1024 * 1024)]);
    const docs = await count(t, 'application_documents');
    const files = filesOnDisk().length;
    const res = await upload(zhang, appId, big, 'image/jpeg');
    expectError(res, 413, 'DOCUMENT_TOO_LARGE');
    expect(res.body.error.message).toBe('文件不能超过 1 MB');
    expect(await count(t, 'application_documents')).toBe(docs);
    expect(filesOnDisk()).toHaveLength(files);
  });

  it('an empty file and a missing name are 422', async () => {
    expectError(await upload(zhang, appId, Buffer.alloc(0), 'image/jpeg'), 422, 'VALIDATION_FAILED');
    const res = await zhang.agent.post(`/api/v1/applications/${appId}/documents`).set('X-Requested-With', 'XMLHttpRequest').set('Content-Type', 'image/jpeg').send(JPEG);
    expectError(res, 422, 'VALIDATION_FAILED');
  });

  it('someone who cannot see the application cannot upload to it (404)', async () => {
    expectError(await upload(he, appId, JPEG, 'image/jpeg'), 404, 'NOT_FOUND');
  });
});

describe('download', () => {
  let docId: number;
  beforeAll(async () => {
    docId = (await rows(t, "SELECT id FROM application_documents WHERE application_id = ? AND mime = 'image/jpeg' ORDER BY id LIMIT 1", [appId]))[0].id as number;
  });

  it('the applicant and the team lead get the bytes back, with the type and the Chinese file name', async () => {
    for (const who of [zhang, wu]) {
      const res = await download(who, appId, docId);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('image/jpeg');
      expect(res.headers['content-disposition']).toBe(`inline; filename*=UTF-8''${encodeURIComponent('身份证正面.jpg')}`);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(Buffer.compare(res.body as Buffer, JPEG)).toBe(0);
    }
  });

  it('risk sees documents once the application is submitted, not while it is a draft', async () => {
    expectError(await li.get(`/api/v1/applications/${appId}/documents/${docId}`), 404, 'NOT_FOUND');
    await zhang.post(`/api/v1/applications/${appId}/submit`, {}).expect(200);
    expect((await download(li, appId, docId)).status).toBe(200);
  });

  it('others get 404: another team’s officer, finance before approval, a document of another application', async () => {
    expectError(await he.get(`/api/v1/applications/${appId}/documents/${docId}`), 404, 'NOT_FOUND');
    expectError(await sun.get(`/api/v1/applications/${appId}/documents/${docId}`), 404, 'NOT_FOUND');
    const c = await readyCustomer(zhang);
    const other = (await zhang.post('/api/v1/applications', applicationInput(c.id))).body.id;
    expectError(await zhang.get(`/api/v1/applications/${other}/documents/${docId}`), 404, 'NOT_FOUND');
    expectError(await zhang.agent.get('/api/v1/applications/abc/documents/1'), 422, 'VALIDATION_FAILED');
  });

  it('every download is audited', async () => {
    const n = await count(t, 'audit_logs', "action = 'read_document' AND entity_id = ?", [String(appId)]);
    await download(wu, appId, docId);
    expect(await count(t, 'audit_logs', "action = 'read_document' AND entity_id = ?", [String(appId)])).toBe(n + 1);
  });
});
