// The report builder's schema and compiler, table-driven: every dataset × dimension × measure
// compiles on both dialects to parameterised SQL with the scope in it; hostile input is refused
// by the schema before any SQL is written.
import { describe, expect, it } from 'vitest';
import { DATASETS, DATASET_KEYS, ReportDefinition, type DatasetDef } from '../../server/src/contracts/report-builder';
import { compileReport, shanghaiMidnightUtc } from '../../server/src/modules/reports/builder/compiler';
import { bucketExpr } from '../../server/src/modules/reports/builder/datasets';
import { sql } from '../../server/src/db/sql';
import { isStatementTimeout } from '../../server/src/modules/reports/builder/builder.service';

const SCOPE = sql('department_id IN (?)', [7, 8]);

function measuresOf(ds: DatasetDef) {
  return [
    { fn: 'count' as const },
    ...Object.keys(ds.numbers).flatMap((field) => [{ fn: 'sum' as const, field }, { fn: 'avg' as const, field }]),
    ...Object.keys(ds.distinct).map((field) => ({ fn: 'distinct' as const, field })),
    ...Object.keys(ds.rates).map((field) => ({ fn: 'rate' as const, field })),
  ];
}

const cases = DATASET_KEYS.flatMap((dataset) => {
  const ds: DatasetDef = DATASETS[dataset];
  return Object.entries(ds.dimensions).flatMap(([field, dim]) =>
    (dim.kind === 'date' ? (['day', 'week', 'month'] as const) : [undefined]).flatMap((bucket) =>
      measuresOf(ds).flatMap((measure) => (['mysql', 'sqlite'] as const).map((dialect) => ({ dataset, field, bucket, measure, dialect }))),
    ),
  );
});

describe('report compiler', () => {
  it('covers every dataset, dimension and measure', () => {
    expect(new Set(cases.map((c) => c.dataset)).size).toBe(DATASET_KEYS.length);
    expect(cases.length).toBeGreaterThan(300);
  });

  it.each(cases)('$dialect $dataset by $field/$bucket: $measure.fn $measure.field', ({ dataset, field, bucket, measure, dialect }) => {
    const def = ReportDefinition.parse({ dataset, dimensions: [{ field, bucket }], measures: [measure], chart: 'bar', period: { from: '2026-11-01', to: '2026-11-30' } });
    const { query, columns } = compileReport(def, dialect, SCOPE);
    expect(query.text).toMatch(/^SELECT .* FROM .* WHERE .* GROUP BY d0 ORDER BY .* LIMIT 501$/);
    // The scope always restricts the customers the rows belong to, and travels as a parameter.
    if (dataset === 'customers') expect(query.text).toContain('WHERE (department_id IN (?))');
    else expect(query.text).toContain('IN (SELECT id FROM customers WHERE department_id IN (?))');
    expect(query.params[0]).toEqual([7, 8]);
    // Nothing from the definition but registered keys reaches the text: no quotes from input, no digits of the period.
    expect(query.text).not.toContain('2026-11');
    expect(columns.map((c) => c.kind)).toEqual(['dimension', 'measure']);
    expect(query.text.split('?').length - 1).toBe(query.params.length);
  });

  it('compiles filters to parameters', () => {
    const def = ReportDefinition.parse({
      dataset: 'customers',
      dimensions: [{ field: 'stage' }],
      measures: [{ fn: 'count' }, { fn: 'rate', field: 'converted' }],
      filters: [
        { field: 'channel', op: 'in', value: ['douyin', "x' OR 1=1 --"] },
        { field: 'city', op: 'neq', value: '杭州' },
        { field: 'loanAmount', op: 'gte', value: 100000 },
      ],
    });
    const { query } = compileReport(def, 'sqlite', sql('1 = 1'));
    expect(query.text).toContain('c.channel IN (?)');
    expect(query.text).toContain('(c.city <> ? OR c.city IS NULL)');
    expect(query.text).toContain('c.loan_amount_fen >= ?');
    expect(query.text).toContain('COUNT(*) AS n_rows');
    expect(query.text).not.toContain('OR 1=1');
    expect(query.params).toEqual([['douyin', "x' OR 1=1 --"], '杭州', 100000]);
  });

  it('turns a business-date period into Shanghai-midnight UTC bounds for timestamps, plain dates for DATEONLY', () => {
    expect(shanghaiMidnightUtc('2026-11-23')).toBe('2026-11-22 16:00:00.000');
    const ts = compileReport(ReportDefinition.parse({ dataset: 'followups', measures: [{ fn: 'count' }], period: { from: '2026-11-01', to: '2026-11-30' } }), 'mysql', sql('1 = 1'));
    expect(ts.query.params).toEqual(['2026-10-31 16:00:00.000', '2026-11-30 16:00:00.000']);
    const d = compileReport(ReportDefinition.parse({ dataset: 'loans', measures: [{ fn: 'count' }], period: { from: '2026-11-01', to: '2026-11-30' } }), 'mysql', sql('1 = 1'));
    expect(d.query.text).toContain('l.disbursed_on >= ? AND l.disbursed_on <= ?');
    expect(d.query.params).toEqual(['2026-11-01', '2026-11-30']);
  });

  it('buckets dates by Shanghai day, Monday week and month on both dialects', () => {
    const ts = { expr: 'x.created_at', type: 'timestamp' as const };
    expect(bucketExpr('mysql', ts, 'day')).toBe("DATE_FORMAT(DATE(DATE_ADD(x.created_at, INTERVAL 8 HOUR)), '%Y-%m-%d')");
    expect(bucketExpr('sqlite', ts, 'month')).toBe("strftime('%Y-%m-01', date(x.created_at, '+8 hours'))");
    expect(bucketExpr('sqlite', { expr: 'l.disbursed_on', type: 'date' }, 'week')).toContain("% 7) || ' days')");
  });
});

describe('report definition schema', () => {
  const base = { dataset: 'customers', measures: [{ fn: 'count' }] };
  const refused: [string, unknown][] = [
    ['a dimension with SQL in its name', { ...base, dimensions: [{ field: 'stage; DROP TABLE customers' }] }],
    ['a dimension with a quote', { ...base, dimensions: [{ field: "stage'" }] }],
    ['a dimension with a comment', { ...base, dimensions: [{ field: 'stage--' }] }],
    ['an unknown dimension', { ...base, dimensions: [{ field: 'password' }] }],
    ['a masked field as dimension (phone)', { ...base, dimensions: [{ field: 'phone' }] }],
    ['a masked field as dimension (idNumber)', { ...base, dimensions: [{ field: 'idNumber' }] }],
    ['a masked field as filter', { ...base, filters: [{ field: 'phone', op: 'eq', value: '13800000000' }] }],
    ['a masked field in a measure', { ...base, measures: [{ fn: 'distinct', field: 'idNumber' }] }],
    ['an unknown dataset', { ...base, dataset: 'users' }],
    ['an unknown measure function', { ...base, measures: [{ fn: 'max', field: 'loanAmount' }] }],
    ['sum of a field that is not a number', { ...base, measures: [{ fn: 'sum', field: 'city' }] }],
    ['a raw SQL expression as measure field', { ...base, measures: [{ fn: 'sum', field: '1) FROM users --' }] }],
    ['an extra key (raw sql)', { ...base, sql: 'SELECT 1' }],
    ['an extra key on a dimension', { ...base, dimensions: [{ field: 'stage', expr: 'password' }] }],
    ['a date dimension without bucket', { ...base, dimensions: [{ field: 'date' }] }],
    ['a bucket on a non-date dimension', { ...base, dimensions: [{ field: 'stage', bucket: 'day' }] }],
    ['a dimension of another dataset', { ...base, dimensions: [{ field: 'bucket' }] }],
    ['three dimensions', { ...base, dimensions: [{ field: 'stage' }, { field: 'city' }, { field: 'channel' }] }],
    ['no measure', { ...base, measures: [] }],
    ['a filter by date (use the period)', { ...base, filters: [{ field: 'date', op: 'eq', value: '2026-11-01' }] }],
    ['in with a single value', { ...base, filters: [{ field: 'stage', op: 'in', value: 'lead' }] }],
    ['gte on a text field', { ...base, filters: [{ field: 'city', op: 'gte', value: 'A' }] }],
    ['an object as filter value', { ...base, filters: [{ field: 'stage', op: 'eq', value: { $gt: '' } }] }],
    ['a period ending before it starts', { ...base, period: { from: '2026-11-30', to: '2026-11-01' } }],
    ['an impossible date', { ...base, period: { from: '2026-02-30', to: '2026-03-01' } }],
    ['a pie with two measures', { ...base, dimensions: [{ field: 'stage' }], measures: [{ fn: 'count' }, { fn: 'rate', field: 'lost' }], chart: 'pie' }],
    ['a line without dimension', { ...base, chart: 'line' }],
  ];
  it.each(refused)('refuses %s', (_name, input) => {
    expect(ReportDefinition.safeParse(input).success).toBe(false);
  });

  it('names the masked field in its refusal', () => {
    const r = ReportDefinition.safeParse({ ...base, dimensions: [{ field: 'phone' }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].message).toBe('手机号为脱敏字段,不能用于报表');
  });

  it('accepts a full definition with defaults', () => {
    const d = ReportDefinition.parse({ dataset: 'loans', dimensions: [{ field: 'date', bucket: 'month' }, { field: 'product' }], measures: [{ fn: 'sum', field: 'principal' }] });
    expect(d.chart).toBe('table');
    expect(d.filters).toEqual([]);
  });
});

describe('statement timeout', () => {
  it('recognises MariaDB and MySQL timeouts, raw or wrapped by Sequelize, and nothing else', () => {
    expect(isStatementTimeout({ errno: 1969, message: 'Query execution was interrupted (max_statement_time exceeded)' })).toBe(true);
    expect(isStatementTimeout({ errno: 3024 })).toBe(true);
    expect(isStatementTimeout({ original: { errno: 1969 } })).toBe(true);
    expect(isStatementTimeout({ errno: 1064 })).toBe(false);
    expect(isStatementTimeout(new Error('x'))).toBe(false);
    expect(isStatementTimeout(null)).toBe(false);
  });
});
