// The report builder (C23): runs a definition within the viewer's data scope, names the groups
// (teams, people, channels, products, stages), and keeps saved reports on personal or shared
// dashboards. A shared report always runs in the scope of whoever opens it, never the sharer's.
import { Op, type WhereOptions } from 'sequelize';
import type { Deps } from '../../../deps';
import type { Actor, RequestContext } from '../../../http/context';
import { AppError, forbidden, notFound, ValidationError } from '../../../http/errors';
import { sql, type Sql } from '../../../db/sql';
import { bookScopeSql } from '../../customers/customer.scope';
import {
  DATASETS,
  REPORT_ROW_LIMIT,
  ReportDefinition,
  SHARE_ROLES,
  type ReportResult,
  type SaveReport,
  type SavedReportView,
  type UpdateReport,
} from '../../../contracts/report-builder';
import { compileReport } from './compiler';
import { DATASET_SQL, type RefKind } from './datasets';
import type { SavedReport } from './saved-report.model';

/** A report query that runs longer than this is stopped by the database (MySQL / MariaDB). */
export const REPORT_TIMEOUT_MS = 10_000;

type Cell = ReportResult['rows'][number][string];

/** The database stopped the query at the statement timeout: MariaDB 1969, MySQL 3024. */
export function isStatementTimeout(e: unknown): boolean {
  const err = e as { errno?: number; original?: { errno?: number }; parent?: { errno?: number } } | null;
  const errno = err?.errno ?? err?.original?.errno ?? err?.parent?.errno;
  return errno === 1969 || errno === 3024;
}

export function createReportBuilderService(deps: Deps) {
  const { db, org } = deps;
  const m = db.models;
  let mysqlFlavour: Promise<'mysql' | 'mariadb'> | null = null;

  /** MySQL takes a hint, MariaDB a SET STATEMENT prefix; SQLite has no statement timeout (row limit only). */
  async function withTimeout(q: Sql): Promise<Sql> {
    if (db.dialect !== 'mysql') return q;
    mysqlFlavour ??= db.select<{ v: string }>(sql('SELECT VERSION() AS v')).then((r) => (/mariadb/i.test(r[0]?.v ?? '') ? 'mariadb' : 'mysql'));
    if ((await mysqlFlavour) === 'mariadb') return { text: `SET STATEMENT max_statement_time=${REPORT_TIMEOUT_MS / 1000} FOR ${q.text}`, params: q.params };
    return { text: q.text.replace(/^SELECT /, `SELECT /*+ MAX_EXECUTION_TIME(${REPORT_TIMEOUT_MS}) */ `), params: q.params };
  }

  async function scopeWords(actor: Actor): Promise<string> {
    switch (actor.role) {
      case 'admin':
        return '全公司';
      case 'officer':
        return '本人客户';
      case 'team_lead':
      case 'branch_manager':
        return (await org.departmentName(actor.departmentId)) ?? '本部门';
      case 'director':
        return '全公司(已分配客户)';
      case 'risk':
        return '审批中及以后的客户';
      case 'finance':
        return '已签约及以后的客户';
    }
  }

  /** Names for the ids a group column holds, one query per kind. */
  async function names(kind: RefKind, ids: (string | number)[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (!ids.length) return out;
    if (kind === 'user') {
      for (const [id, u] of await org.usersByIds(ids.map(Number))) out.set(String(id), u.name);
    } else if (kind === 'department') {
      const depts = await org.departments();
      for (const id of ids) {
        const d = depts.get(Number(id));
        if (d) out.set(String(id), d.name);
      }
    } else if (kind === 'channel') {
      const rows = await m.Channel.findAll({ where: { code: ids.map(String) }, attributes: ['code', 'name'], raw: true });
      for (const r of rows) out.set(r.code, r.name);
    } else {
      const rows = await m.Product.findAll({ where: { id: ids.map(Number) }, attributes: ['id', 'name'], raw: true });
      for (const r of rows) out.set(String(r.id), r.name);
    }
    return out;
  }

  async function run(actor: Actor, def: ReportDefinition): Promise<ReportResult> {
    const scope = await bookScopeSql(actor, org, 'read');
    const compiled = compileReport(def, db.dialect, scope);
    let raw: Record<string, unknown>[];
    try {
      raw = await db.select<Record<string, unknown>>(await withTimeout(compiled.query));
    } catch (e) {
      if (isStatementTimeout(e)) throw new AppError(503, 'REPORT_TIMEOUT');
      throw e;
    }
    const truncated = raw.length > REPORT_ROW_LIMIT;
    const rows = raw.slice(0, REPORT_ROW_LIMIT);
    // A funnel over stages or statuses reads in their own order (线索 → 意向 → …), not by size.
    const firstReg = def.dimensions[0] && def.dimensions[0].field !== 'date' ? (DATASET_SQL[def.dataset].dimensions[def.dimensions[0].field as never] as { enumLabels?: Record<string, string> }) : undefined;
    if (def.chart === 'funnel' && firstReg?.enumLabels) {
      const order = Object.keys(firstReg.enumLabels);
      const rank = (v: unknown) => (order.indexOf(String(v)) + order.length + 1) % (order.length + 1);
      rows.sort((a, b) => rank(a[compiled.aliases[def.dimensions[0].field]]) - rank(b[compiled.aliases[def.dimensions[0].field]]));
    }

    // Dimension labels: ids → names, enum keys → Chinese, empty → 未填写.
    const labelFor: ((v: unknown) => string)[] = [];
    for (const dim of def.dimensions) {
      const alias = compiled.aliases[dim.field];
      const reg = dim.field === 'date' ? undefined : DATASET_SQL[def.dataset].dimensions[dim.field as never] as { ref?: RefKind; enumLabels?: Record<string, string> };
      const named = reg?.ref ? await names(reg.ref, [...new Set(rows.map((r) => r[alias]).filter((v) => v !== null && v !== undefined) as (string | number)[])]) : null;
      labelFor.push((v) => {
        if (v === null || v === undefined || v === '') return '未填写';
        if (named) return named.get(String(v)) ?? `#${v}`;
        if (reg?.enumLabels) return reg.enumLabels[String(v)] ?? String(v);
        return String(v);
      });
    }

    const out = rows.map((r) => {
      const row: Record<string, Cell> = {};
      def.dimensions.forEach((dim, i) => {
        const v = r[compiled.aliases[dim.field]];
        const value = v === null || v === undefined ? null : typeof v === 'number' ? v : String(v);
        row[dim.field] = { value, label: labelFor[i](v) };
      });
      for (const col of compiled.columns) {
        if (col.kind !== 'measure') continue;
        const v = r[compiled.aliases[col.key]];
        if (v === null || v === undefined) {
          row[col.key] = null;
          continue;
        }
        const n = Number(v);
        if (col.unit === 'rate') {
          const total = Number(r.n_rows);
          row[col.key] = total ? Math.round((n / total) * 10_000) / 10_000 : null;
        } else if (col.key.startsWith('avg_')) {
          // Averages of fen, months, ppm or days: whole units, as everything else in the app shows them.
          row[col.key] = Math.round(n);
        } else {
          row[col.key] = n;
        }
      }
      return row;
    });
    return { columns: compiled.columns, rows: out, truncated, scope: await scopeWords(actor) };
  }

  const canShare = (actor: Actor) => (SHARE_ROLES as readonly string[]).includes(actor.role);

  /** The department subtrees a viewer belongs to: a shared report reaches them when its department is one of their ancestors (or NULL). */
  async function ancestorIds(departmentId: number): Promise<number[]> {
    const depts = await org.departments();
    const d = depts.get(departmentId);
    if (!d) return [];
    return d.path.split('/').filter(Boolean).map(Number);
  }

  async function visibleWhere(actor: Actor): Promise<WhereOptions<SavedReport>> {
    return {
      [Op.or]: [
        { ownerId: actor.id },
        { visibility: 'shared', sharedDepartmentId: null },
        { visibility: 'shared', sharedDepartmentId: { [Op.in]: await ancestorIds(actor.departmentId) } },
      ],
    } as WhereOptions<SavedReport>;
  }

  async function view(actor: Actor, r: SavedReport): Promise<SavedReportView> {
    const owner = (await org.usersByIds([r.ownerId])).get(r.ownerId);
    return {
      id: r.id,
      name: r.name,
      visibility: r.visibility,
      definition: r.definition,
      ownerId: r.ownerId,
      ownerName: owner?.name ?? '',
      sharedWithDepartmentId: r.sharedDepartmentId,
      mine: r.ownerId === actor.id,
      updatedAt: new Date(r.updatedAt).toISOString(),
    };
  }

  /** Where a manager's shared report goes: their own department subtree; the admin's to everyone. */
  function shareTarget(actor: Actor, visibility: 'personal' | 'shared'): number | null {
    if (visibility === 'personal') return null;
    if (!canShare(actor)) throw forbidden('只有主管、经理、总监和管理员可以共享报表');
    return actor.role === 'admin' ? null : actor.departmentId;
  }

  async function findVisible(actor: Actor, id: number) {
    const row = await m.SavedReport.findOne({ where: { [Op.and]: [{ id }, await visibleWhere(actor)] } as WhereOptions<SavedReport> });
    if (!row) throw notFound('报表不存在或无权查看');
    return row;
  }

  async function findOwn(actor: Actor, id: number) {
    const row = await findVisible(actor, id);
    // Others may open a shared report but only its owner (or the admin) changes it.
    if (row.ownerId !== actor.id && actor.role !== 'admin') throw forbidden('只能修改自己创建的报表');
    return row;
  }

  return {
    run: (rc: RequestContext, def: ReportDefinition) => run(rc.actor, def),

    datasets: () => DATASETS,

    /** 我的: everything I made (shared or not); 共享给我: what others shared with my part of the org. */
    async list(rc: RequestContext): Promise<{ mine: SavedReportView[]; sharedWithMe: SavedReportView[] }> {
      const rows = await m.SavedReport.findAll({ where: await visibleWhere(rc.actor), order: [['id', 'ASC']] });
      const views = await Promise.all(rows.map((r) => view(rc.actor, r)));
      return { mine: views.filter((v) => v.mine), sharedWithMe: views.filter((v) => !v.mine) };
    },

    async get(rc: RequestContext, id: number) {
      return view(rc.actor, await findVisible(rc.actor, id));
    },

    async create(rc: RequestContext, input: SaveReport) {
      const sharedDepartmentId = shareTarget(rc.actor, input.visibility);
      const row = await db.transaction(async (t) => {
        const r = await m.SavedReport.create({ ownerId: rc.actor.id, name: input.name, visibility: input.visibility, sharedDepartmentId, definition: input.definition }, { transaction: t });
        await deps.audit.record(rc, { action: 'report.save', entityType: 'saved_report', entityId: r.id, after: { name: r.name, visibility: r.visibility, sharedDepartmentId } }, t);
        return r;
      });
      return view(rc.actor, row);
    },

    async update(rc: RequestContext, id: number, input: UpdateReport) {
      const row = await findOwn(rc.actor, id);
      const before = { name: row.name, visibility: row.visibility, sharedDepartmentId: row.sharedDepartmentId };
      if (input.visibility && input.visibility !== row.visibility) {
        row.sharedDepartmentId = shareTarget(rc.actor, input.visibility);
        row.visibility = input.visibility;
      }
      if (input.name !== undefined) row.name = input.name;
      if (input.definition) row.definition = input.definition;
      await db.transaction(async (t) => {
        await row.save({ transaction: t });
        await deps.audit.record(rc, { action: 'report.update', entityType: 'saved_report', entityId: id, before, after: { name: row.name, visibility: row.visibility, sharedDepartmentId: row.sharedDepartmentId } }, t);
      });
      return view(rc.actor, row);
    },

    async remove(rc: RequestContext, id: number) {
      const row = await findOwn(rc.actor, id);
      await db.transaction(async (t) => {
        await row.destroy({ transaction: t });
        await deps.audit.record(rc, { action: 'report.delete', entityType: 'saved_report', entityId: id, before: { name: row.name, visibility: row.visibility } }, t);
      });
    },

    async runSaved(rc: RequestContext, id: number) {
      const row = await findVisible(rc.actor, id);
      // Saved before a field was renamed or retired: say so instead of failing inside the compiler.
      const def = ReportDefinition.safeParse(row.definition);
      if (!def.success) throw new ValidationError(def.error.issues.map((i) => ({ field: ['definition', ...i.path].join('.'), message: i.message })), '该报表的定义已失效,请编辑后重新保存');
      return { report: await view(rc.actor, row), result: await run(rc.actor, def.data) };
    },
  };
}

export type ReportBuilderService = ReturnType<typeof createReportBuilderService>;
