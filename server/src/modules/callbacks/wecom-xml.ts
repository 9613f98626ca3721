// The small XML WeCom callbacks speak (reference W6): `<xml><Name><![CDATA[v]]></Name>…</xml>`,
// a few levels deep at most (SelectedItems). No XML library is installed and these messages are
// tiny, so a strict hand-written reader: elements, text, CDATA and the five entities plus numeric
// references; attributes are skipped; DOCTYPE/ENTITY declarations are refused (no entity
// expansion, no external fetches); size, depth and element count are bounded.
export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
  [name: string]: XmlValue;
}

export class XmlError extends Error {}

const MAX_CHARS = 64 * 1024;
const MAX_DEPTH = 6;
const MAX_ELEMENTS = 500;
const NAME = /^[A-Za-z_][\w.-]*/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    if (e in ENTITIES) return ENTITIES[e];
    throw new XmlError(`unknown entity ${m}`);
  });
}

/** Parses a document and returns its root element's content, e.g. `{ToUserName, Encrypt, …}`. */
export function parseXml(xml: string): XmlObject {
  if (xml.length > MAX_CHARS) throw new XmlError('document too large');
  let pos = 0;
  let elements = 0;

  const skipMisc = () => {
    for (;;) {
      while (pos < xml.length && /\s/.test(xml[pos])) pos++;
      if (xml.startsWith('<?', pos)) {
        const end = xml.indexOf('?>', pos);
        if (end < 0) throw new XmlError('unterminated declaration');
        pos = end + 2;
      } else if (xml.startsWith('<!--', pos)) {
        const end = xml.indexOf('-->', pos);
        if (end < 0) throw new XmlError('unterminated comment');
        pos = end + 3;
      } else if (xml.startsWith('<!', pos) && !xml.startsWith('<![CDATA[', pos)) {
        throw new XmlError('declarations are not accepted');
      } else return;
    }
  };

  const element = (depth: number): [string, XmlValue] => {
    if (depth > MAX_DEPTH) throw new XmlError('too deep');
    if (++elements > MAX_ELEMENTS) throw new XmlError('too many elements');
    if (xml[pos] !== '<') throw new XmlError(`expected an element at ${pos}`);
    const name = NAME.exec(xml.slice(pos + 1, pos + 130))?.[0];
    if (!name) throw new XmlError(`bad element name at ${pos}`);
    const close = xml.indexOf('>', pos);
    if (close < 0) throw new XmlError('unterminated tag');
    const selfClosing = xml[close - 1] === '/';
    pos = close + 1;
    if (selfClosing) return [name, ''];
    let text = '';
    const children: XmlObject = {};
    let hasChildren = false;
    for (;;) {
      if (pos >= xml.length) throw new XmlError(`unterminated <${name}>`);
      if (xml.startsWith('<![CDATA[', pos)) {
        const end = xml.indexOf(']]>', pos);
        if (end < 0) throw new XmlError('unterminated CDATA');
        text += xml.slice(pos + 9, end);
        pos = end + 3;
      } else if (xml.startsWith('</', pos)) {
        const end = xml.indexOf('>', pos);
        if (end < 0 || xml.slice(pos + 2, end).trim() !== name) throw new XmlError(`mismatched end tag for <${name}>`);
        pos = end + 1;
        return [name, hasChildren ? children : text];
      } else if (xml.startsWith('<!--', pos)) {
        const end = xml.indexOf('-->', pos);
        if (end < 0) throw new XmlError('unterminated comment');
        pos = end + 3;
      } else if (xml[pos] === '<') {
        if (xml.startsWith('<!', pos) || xml.startsWith('<?', pos)) throw new XmlError('declarations are not accepted');
        const [child, value] = element(depth + 1);
        hasChildren = true;
        const prev = children[child];
        // Repeated elements (e.g. OptionId) become an array.
        children[child] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
      } else {
        const next = xml.indexOf('<', pos);
        const end = next < 0 ? xml.length : next;
        text += decodeEntities(xml.slice(pos, end));
        pos = end;
      }
    }
  };

  skipMisc();
  const [, root] = element(0);
  skipMisc();
  if (pos !== xml.length) throw new XmlError('content after the root element');
  return typeof root === 'string' ? {} : (root as XmlObject);
}

/** A text field of a parsed message ('' when absent or not text). */
export function xmlText(o: XmlObject, name: string): string {
  const v = o[name];
  return typeof v === 'string' ? v.trim() : '';
}

/** Builds a flat `<xml>` document; strings go in CDATA, numbers bare, nested objects as elements. */
export function buildXml(fields: Record<string, string | number | Record<string, string | number>>): string {
  const cdata = (s: string) => `<![CDATA[${s.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
  const body = (f: Record<string, unknown>): string =>
    Object.entries(f)
      .map(([k, v]) => `<${k}>${typeof v === 'number' ? v : typeof v === 'string' ? cdata(v) : body(v as Record<string, unknown>)}</${k}>`)
      .join('');
  return `<xml>${body(fields)}</xml>`;
}
