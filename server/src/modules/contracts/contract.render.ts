// .docx templates through docxtemplater + pizzip: checking an upload really is a template we can
// fill (parsed, tags balanced), listing its placeholders, filling one, and reading a document's
// text back (tests and the demo check what was filled). Pure: buffers in, buffers out.
import PizZip from 'pizzip';
import Docxtemplater from 'docxtemplater';
import InspectModule from 'docxtemplater/js/inspect-module.js';
import { CONTRACT_FIELDS } from '../../contracts/contracts';

export class TemplateError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join(';'));
  }
}

interface DxtError {
  message?: string;
  properties?: { explanation?: string; id?: string; xtag?: string; errors?: DxtError[] };
}

const ZH: Record<string, (tag: string) => string> = {
  unclosed_tag: (t) => `占位符「{${t}」缺少右括号 }`,
  unopened_tag: (t) => `占位符「${t}}」缺少左括号 {`,
  unclosed_loop: (t) => `循环「{#${t}}」缺少结束标记 {/${t}}`,
  unopened_loop: (t) => `结束标记「{/${t}}」前没有对应的 {#${t}}`,
  closing_tag_does_not_match_opening_tag: (t) => `循环的开始与结束标记不一致(${t})`,
  duplicate_open_tag: (t) => `占位符「${t}」有重复的左括号`,
  duplicate_close_tag: (t) => `占位符「${t}」有重复的右括号`,
};

/** docxtemplater's errors (a multi error holds one per bad tag) as Chinese-led lines. */
function problemsOf(err: unknown): string[] {
  const e = err as DxtError;
  const list = e.properties?.errors?.length ? e.properties.errors : [e];
  return list.map((x) => {
    // An unclosed tag's xtag runs on to the next `{`: keep only the name so the message stays short.
    const tag = (x.properties?.xtag ?? '').match(/^[#/^]?[\w.$]+/)?.[0] ?? (x.properties?.xtag ?? '').slice(0, 20);
    const zh = ZH[x.properties?.id ?? ''];
    return zh ? zh(tag) : `模板占位符「${tag}」有误:${x.properties?.explanation ?? x.message ?? '无法解析'}`;
  });
}

function open(buf: Buffer, inspect?: InstanceType<typeof InspectModule>): Docxtemplater {
  let zip: PizZip;
  try {
    zip = new PizZip(buf);
  } catch {
    throw new TemplateError(['文件不是有效的 .docx(Word 2007 及以上)文档']);
  }
  if (!zip.file('word/document.xml')) throw new TemplateError(['文件不是 Word 文档(缺少 word/document.xml)']);
  try {
    return new Docxtemplater(zip, { paragraphLoop: true, linebreaks: true, modules: inspect ? [inspect] : [], nullGetter: () => '', errorLogging: false });
  } catch (err) {
    throw new TemplateError(problemsOf(err));
  }
}

/** Flattens docxtemplater's tag tree: `{ a: {}, schedule: { seq: {} } }` → ['a', 'schedule', 'schedule.seq']. */
function flatten(tags: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(tags).flatMap(([k, v]) => {
    const name = prefix ? `${prefix}.${k}` : k;
    const inner = v && typeof v === 'object' ? flatten(v as Record<string, unknown>, name) : [];
    return [name, ...inner];
  });
}

export interface TemplateInfo {
  placeholders: string[];
  /** Placeholders we have no value for (a typo, usually): filled with nothing. */
  unknown: string[];
}

/** Parses a template; throws TemplateError (in Chinese) when it cannot be filled. */
export function inspectTemplate(buf: Buffer): TemplateInfo {
  const inspect = new InspectModule();
  open(buf, inspect);
  const placeholders = [...new Set(flatten(inspect.getAllTags()))].sort();
  return { placeholders, unknown: placeholders.filter((p) => !(p in CONTRACT_FIELDS)) };
}

/** Fills a template with `data`; missing values become empty text. */
export function renderTemplate(buf: Buffer, data: Record<string, unknown>): Buffer {
  const doc = open(buf);
  try {
    doc.render(data);
  } catch (err) {
    throw new TemplateError(problemsOf(err));
  }
  return doc.getZip().generate({ type: 'nodebuffer', compression: 'DEFLATE' });
}

/** The document's visible text, paragraphs joined by newlines (table cells by tabs). */
export function docxText(buf: Buffer): string {
  const xml = new PizZip(buf).file('word/document.xml')!.asText();
  return xml
    .replace(/<\/w:p>\s*<\/w:tc>/g, '\t')
    .replace(/<\/w:tr>/g, '\n')
    .replace(/<\/w:p>/g, '\n')
    .replace(/<w:tab\/>/g, '\t')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}
