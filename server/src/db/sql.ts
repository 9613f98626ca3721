// Hand-written SQL for hot read paths: a fragment of text with its `?` parameters, in order.
// Values never go into the text; Db.select sends them as parameters (an array fills `IN (?)`).

export interface Sql {
  text: string;
  params: unknown[];
}

export const sql = (text: string, ...params: unknown[]): Sql => ({ text, params });

/** The fragments joined with AND (each is parenthesised, so an OR inside one stays inside it). */
export function and(parts: Sql[]): Sql {
  if (parts.length === 0) return sql('1 = 1');
  return { text: parts.map((p) => `(${p.text})`).join(' AND '), params: parts.flatMap((p) => p.params) };
}
