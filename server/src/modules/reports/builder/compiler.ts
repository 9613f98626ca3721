// Compiles a validated report definition to one parameterised SELECT. Every identifier and
// expression comes from the registry (datasets.ts), every value travels as a `?` parameter, and
// the viewer's scope is a fragment the service passes in: nothing in the definition can widen it.
import { and, sql, type Sql } from '../../../db/sql';
import { DATASETS, REPORT_ROW_LIMIT, type DatasetDef, type ReportColumn, type ReportDefinition } from '../../../contracts/report-builder';
import { bucketExpr, DATASET_SQL, type DatasetSql, type Dialect } from './datasets';

export interface CompiledReport {
  query: Sql;
  columns: ReportColumn[];
  /** Result aliases per column key: dimensions d0/d1, measures m0… (rates also need the group count). */
  aliases: Record<string, string>;
}

const EIGHT_HOURS = 8 * 3600_000;

/** UTC instant of Shanghai midnight starting a business date, as the text both databases compare. */
export function shanghaiMidnightUtc(date: string): string {
  const ms = Date.parse(`${date}T00:00:00Z`) - EIGHT_HOURS;
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export function measureKey(m: ReportDefinition['measures'][number], i: number): string {
  return `${m.fn}${m.field ? `_${m.field}` : ''}_${i}`;
}

export function compileReport(def: ReportDefinition, dialect: Dialect, scope: Sql): CompiledReport {
  const meta: DatasetDef = DATASETS[def.dataset];
  const ds: DatasetSql = DATASET_SQL[def.dataset];
  const select: string[] = [];
  const groupBy: string[] = [];
  const order: string[] = [];
  const columns: ReportColumn[] = [];
  const aliases: Record<string, string> = {};

  def.dimensions.forEach((dim, i) => {
    const alias = `d${i}`;
    const expr = dim.field === 'date' ? bucketExpr(dialect, ds.date, dim.bucket ?? 'day') : ds.dimensions[dim.field]?.expr;
    if (!expr) throw new Error(`unregistered dimension ${def.dataset}.${dim.field}`); // the schema refuses these first
    select.push(`${expr} AS ${alias}`);
    groupBy.push(alias);
    if (dim.field === 'date') order.push(`${alias} ASC`);
    const label = meta.dimensions[dim.field].label + (dim.bucket ? `(${{ day: '日', week: '周', month: '月' }[dim.bucket]})` : '');
    columns.push({ key: dim.field, label, kind: 'dimension' });
    aliases[dim.field] = alias;
  });

  let needsCount = false;
  def.measures.forEach((m, i) => {
    const alias = `m${i}`;
    const key = measureKey(m, i);
    let expr: string;
    let label: string;
    let unit: ReportColumn['unit'];
    switch (m.fn) {
      case 'count':
        expr = 'COUNT(*)';
        label = `${meta.label}数`;
        unit = 'count';
        break;
      case 'sum':
      case 'avg':
        expr = `${m.fn === 'sum' ? 'SUM' : 'AVG'}(${reg(ds.numbers, m.field)})`;
        label = `${meta.numbers[m.field!].label}${m.fn === 'sum' ? '合计' : '平均'}`;
        unit = meta.numbers[m.field!].unit;
        break;
      case 'distinct':
        expr = `COUNT(DISTINCT ${reg(ds.distinct, m.field)})`;
        label = `${meta.distinct[m.field!]}数(去重)`;
        unit = 'count';
        break;
      case 'rate':
        expr = `SUM(CASE WHEN ${reg(ds.rates, m.field)} THEN 1 ELSE 0 END)`;
        label = meta.rates[m.field!];
        unit = 'rate';
        needsCount = true;
        break;
    }
    select.push(`${expr} AS ${alias}`);
    columns.push({ key, label, kind: 'measure', unit });
    aliases[key] = alias;
  });
  if (needsCount) select.push('COUNT(*) AS n_rows');
  if (!order.length && def.dimensions.length) order.push('m0 DESC');
  for (const g of groupBy) if (!order.includes(`${g} ASC`)) order.push(`${g} ASC`);

  // An unrestricted book (the admin) needs no semi-join; every other scope restricts the customers.
  // On the customers table alone the scope's bare column names can only mean that table: applied
  // directly, the optimizer uses its indexes instead of a self semi-join.
  const where: Sql[] =
    scope.text === '1 = 1' && !scope.params.length ? [] : ds.from === 'customers c' ? [scope] : [sql(`${ds.customerId} IN (SELECT id FROM customers WHERE ${scope.text})`, ...scope.params)];
  if (def.period) {
    const col = ds.date;
    if (col.type === 'timestamp') {
      where.push(sql(`${col.expr} >= ? AND ${col.expr} < ?`, shanghaiMidnightUtc(def.period.from), shanghaiMidnightUtc(nextDay(def.period.to))));
    } else {
      where.push(sql(`${col.expr} >= ? AND ${col.expr} <= ?`, def.period.from, def.period.to));
    }
  }
  for (const f of def.filters) {
    const expr = ds.dimensions[f.field]?.expr ?? ds.numbers[f.field];
    if (!expr) throw new Error(`unregistered filter ${def.dataset}.${f.field}`);
    switch (f.op) {
      case 'eq':
        where.push(sql(`${expr} = ?`, f.value));
        break;
      case 'neq':
        // "Not X" keeps the rows with no value at all, as a person reading the filter expects.
        where.push(sql(`(${expr} <> ? OR ${expr} IS NULL)`, f.value));
        break;
      case 'in':
        where.push(sql(`${expr} IN (?)`, f.value));
        break;
      case 'gte':
        where.push(sql(`${expr} >= ?`, f.value));
        break;
      case 'lte':
        where.push(sql(`${expr} <= ?`, f.value));
        break;
    }
  }
  const w = and(where);
  const text =
    `SELECT ${select.join(', ')} FROM ${ds.from} WHERE ${w.text}` +
    (groupBy.length ? ` GROUP BY ${groupBy.join(', ')}` : '') +
    (order.length ? ` ORDER BY ${order.join(', ')}` : '') +
    ` LIMIT ${REPORT_ROW_LIMIT + 1}`;
  return { query: { text, params: w.params }, columns, aliases };
}

function reg(map: Record<string, string>, field: string | undefined): string {
  const expr = field ? map[field] : undefined;
  if (!expr) throw new Error(`unregistered measure field ${field}`);
  return expr;
}
