// Benchmark seeder: recreates a MySQL/MariaDB database, migrates it, seeds the demo organisation,
// adds bench teams so every officer carries a realistic book, then bulk-loads N customers with
// F follow-ups each straight through mysql2.
//
//   npx tsx bench/seed.ts --customers 100000 [--db crm_bench] [--followups 10] [--per-officer 5000]
//                         [--method insert|load] [--keep-indexes] [--chunk 20000]
//
// How it stays fast (1,000,000 customers + 10,000,000 follow-ups in under 3 minutes on 2 cores):
// - the secondary indexes are dropped before the load and re-added afterwards with one ALTER TABLE per
//   table (each index built by one sort); growing random-order indexes such as phone_hash row by row
//   through a small buffer pool is I/O-bound and got slower with every chunk. The final SHOW CREATE
//   TABLE is compared with the migration's and the run fails if they differ.
// - each table is filled in one transaction with unique_checks=0 and foreign_key_checks=0 through
//   multi-row INSERTs, which puts InnoDB (MariaDB >= 10.6) into its bulk-insert mode for an empty
//   table: no per-row undo log, and a killed run rolls back instantly. (--method load uses LOAD DATA
//   LOCAL INFILE instead: a little faster to parse, but LOCAL implies IGNORE, which keeps InnoDB out of
//   bulk mode, so a killed run then rolls back row by row.)
// - customers and follow-ups go over two connections at once, and generating (and encrypting)
//   chunk k+1 overlaps the server storing chunk k.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import mysql from 'mysql2/promise';
import { buildDeps } from '../server/src/app';
import { migrateUp } from '../server/src/db/migrator';
import { seedDemo } from '../sql/seeds/demo';
import { STAGE_FLOW, type Stage } from '../server/src/contracts/stages';
import { addDays, shanghaiDate } from '../server/src/contracts/dates';
import type { Deps } from '../server/src/deps';
import { idCheckChar } from '../server/src/contracts/identity';
import {
  benchConfig, dbName, fmtInt, fmtSecs, intArg, strArg, keyFingerprint, LAST_SEED_FILE, MYSQL_ADMIN_URL, parseArgs, prng, table,
} from './common';

// ---------------------------------------------------------------------------------------------
// Vocabulary (the same flavour as sql/seeds/demo.ts)

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁沈任姚卢傅钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '霞', '平', '刚', '桂英', '建华', '文', '华', '红', '建国', '志强', '海燕', '晓东', '雪', '婷', '宇', '浩', '鑫', '佳怡', '子轩', '欣怡', '梓涵', '思远'];
const CITIES = ['杭州', '苏州', '宁波', '绍兴', '无锡', '上海', '嘉兴', '湖州'];
const AREA_CODES = ['330102', '330106', '320505', '330203', '330602', '320214', '310104', '330402'];
const PURPOSES = ['经营周转', '购车', '装修', '教育', '资金周转', '扩大生产', '医疗', '结婚', '置换旧贷'];
const TAGS = ['["双十一活动"]', '["春季推广"]', '["老带新"]', '["房抵专场"]', '["老带新","房抵专场"]'];
const REMARKS = ['客户希望尽快放款', '名下有两套房产', '个体工商户,流水稳定', '需配偶到场签字', '征信查询次数偏多'];
const POOL_REASONS = ['超过 7 天未跟进,自动退回公海', '员工主动退回:客户暂无需求', '渠道线索待分配'];
const PHONE_PREFIX = ['3', '5', '7', '8', '9']; // load-created customers use 16x, which never collides
const COLLATERALS = ['house', 'house', 'vehicle', 'credit', 'credit', 'policy', 'other'] as const;
const AMOUNT_RANGE: Record<(typeof COLLATERALS)[number], [number, number]> = { house: [50, 500], vehicle: [5, 50], credit: [1, 30], policy: [5, 50], other: [5, 100] };
const TERMS = [12, 24, 36, 60, 120];
const STAGE_WEIGHTS: [Stage, number][] = [
  ['lead', 24], ['intent', 20], ['due_diligence', 12], ['under_approval', 8], ['signed', 5],
  ['disbursed', 4], ['repaying', 10], ['settled', 5], ['bad_debt', 2], ['lost', 10],
];
const TERMINAL = new Set<Stage>(['settled', 'bad_debt', 'lost']);
const FU_TYPES = ['call', 'call', 'call', 'wechat', 'wechat', 'visit', 'note'] as const;
const OUTCOMES = ['interested', 'considering', 'need_documents', 'no_answer', 'not_interested', 'interested'];
const NOTES: Record<(typeof FU_TYPES)[number], string[]> = {
  call: ['电话沟通贷款需求,客户对利率比较关心', '电话未接通,稍后再打', '确认了月收入和社保缴纳情况', '客户表示需要和家人商量'],
  wechat: ['微信发送了所需资料清单', '客户微信发来了房产证照片', '微信沟通还款方式,倾向等额本息'],
  visit: ['上门面谈,核实了经营场所', '到店面签,收集了身份证和银行流水', '实地看房,房产位置较好'],
  note: ['客户征信有两次逾期,需风控重点关注', '客户名下有一辆车,可作为补充担保'],
};

const CUSTOMER_COLUMNS = [
  'id', 'name', 'phone_enc', 'phone_hash', 'phone_last4', 'id_number_enc', 'id_number_hash', 'birth_date', 'gender', 'city',
  'channel', 'campaign_tags', 'stage', 'owner_id', 'department_id', 'assigned_at', 'pooled_at', 'pool_reason', 'loan_amount_fen',
  'loan_term_months', 'loan_purpose', 'collateral', 'monthly_income_fen', 'remark', 'next_follow_up_date', 'last_follow_up_at',
  'stage_changed_at', 'custom_fields', 'external_id', 'created_by', 'created_at', 'updated_at',
];
const FOLLOW_UP_COLUMNS = ['id', 'customer_id', 'user_id', 'type', 'content', 'outcome', 'next_follow_up_date', 'custom_fields', 'created_at'];

const NULL = null;
const POOL_SHARE = 0.02; // customers waiting unowned in the public pool (公海)
const LEAD_WEIGHT = 0.2; // a team lead keeps a small book of their own
const BENCH_TEAM_SIZE = 10;
const DAY = 86_400_000;

interface Owner { id: number; name: string; role: 'officer' | 'team_lead'; departmentId: number; weight: number; bench: boolean }

// ---------------------------------------------------------------------------------------------

/** 'YYYY-MM-DD HH:MM:SS.mmm' in UTC, the way Sequelize (timezone +00:00) stores DATETIME(3). */
function dt(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

function idNumberOf(k: number): { id: string; birth: string; gender: 'male' | 'female' } {
  // k → (area, birthday, sequence) is one-to-one for k < 8 * 13870 * 1000, so IDs never repeat.
  const day = k % 13870;
  const seq = Math.floor(k / 13870) % 1000;
  const area = AREA_CODES[Math.floor(k / 13_870_000) % AREA_CODES.length];
  const birth = new Date(Date.UTC(1965, 0, 1) + day * DAY).toISOString().slice(0, 10);
  const first17 = `${area}${birth.replace(/-/g, '')}${String(seq).padStart(3, '0')}`;
  return { id: first17 + idCheckChar(first17), birth, gender: seq % 2 ? 'male' : 'female' };
}

/** Unique 11-digit mobile number for customer index i: a bijection of i onto 9 digits. */
function phoneOf(i: number): string {
  const x = (i * 387_420_489 + 123_456_789) % 1_000_000_000; // 3^18 is coprime with 10^9
  return `1${PHONE_PREFIX[(i * 7) % PHONE_PREFIX.length]}${String(x).padStart(9, '0')}`;
}

async function addBenchTeams(deps: Deps, teams: number) {
  const m = deps.db.models;
  const users = await m.User.findAll({ raw: true, order: [['id', 'ASC']] });
  const depts = await m.Department.findAll({ raw: true, order: [['id', 'ASC']] });
  const branches = depts.filter((d) => d.kind === 'branch');
  const managerOf = (deptId: number) => users.find((u) => u.role === 'branch_manager' && u.departmentId === deptId)?.id ?? null;
  const rand = prng(4242);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)];
  await deps.db.transaction(async (t) => {
    for (let k = 1; k <= teams; k++) {
      const branch = branches[(k - 1) % branches.length];
      const d = await m.Department.create({ name: `压测${k}组`, kind: 'team', parentId: branch.id, path: '/' }, { transaction: t });
      d.path = `${branch.path}${d.id}/`;
      const lead = await m.User.create(
        { name: `${pick(SURNAMES)}${pick(GIVEN)}`, role: 'team_lead', departmentId: d.id, supervisorId: managerOf(branch.id), title: '团队主管' },
        { transaction: t },
      );
      d.leaderId = lead.id;
      await d.save({ transaction: t });
      await m.User.bulkCreate(
        Array.from({ length: BENCH_TEAM_SIZE }, () => ({ name: `${pick(SURNAMES)}${pick(GIVEN)}`, role: 'officer' as const, departmentId: d.id, supervisorId: lead.id, title: '信贷经理' })),
        { transaction: t },
      );
    }
  });
  const all = await m.User.findAll({ raw: true, order: [['id', 'ASC']] });
  const benchDepts = new Set((await m.Department.findAll({ raw: true })).filter((d) => d.name.startsWith('压测')).map((d) => d.id));
  const owners: Owner[] = all
    .filter((u) => u.role === 'officer' || u.role === 'team_lead')
    .map((u) => ({ id: u.id, name: u.name, role: u.role as Owner['role'], departmentId: u.departmentId, weight: u.role === 'officer' ? 1 : LEAD_WEIGHT, bench: benchDepts.has(u.departmentId) }));
  const admin = all.find((u) => u.role === 'admin')!;
  return { owners, adminId: admin.id };
}

type Val = string | number | null;

function sqlString(s: string): string {
  return /['\\]/.test(s) ? `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : `'${s}'`;
}

function tsvField(s: string): string {
  return /[\\\t\n]/.test(s) ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n') : s;
}

/** Rows as one multi-row INSERT per chunk (each chunk is a VALUES list of a few MB). */
async function insertRows(conn: mysql.Connection, tableName: string, columns: string[], chunks: string[]) {
  let n = 0;
  const head = `INSERT INTO \`${tableName}\` (${columns.map((c) => `\`${c}\``).join(', ')}) VALUES `;
  for (const values of chunks) {
    const [res] = await conn.query(head + values);
    n += (res as mysql.ResultSetHeader).affectedRows;
  }
  return n;
}

/**
 * Streams TSV chunks into one LOAD DATA LOCAL INFILE statement. Faster to parse than INSERT, but
 * LOCAL implies IGNORE, which keeps InnoDB out of its bulk-insert mode (so indexes grow row by row).
 */
async function loadData(conn: mysql.Connection, tableName: string, columns: string[], chunks: string[]) {
  const sql =
    `LOAD DATA LOCAL INFILE 'bench-${tableName}.tsv' INTO TABLE \`${tableName}\` CHARACTER SET utf8mb4 ` +
    `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${columns.map((c) => `\`${c}\``).join(', ')})`;
  const [res] = await conn.query({ sql, infileStreamFactory: () => Readable.from(chunks.map((c) => Buffer.from(c))) });
  const r = res as mysql.ResultSetHeader;
  if (r.warningStatus) {
    // LOCAL turns errors (duplicates, bad values) into warnings; a benchmark on half-loaded data would lie.
    const [w] = await conn.query('SHOW WARNINGS LIMIT 5');
    throw new Error(`LOAD DATA into ${tableName}: ${r.warningStatus} warnings, e.g. ${JSON.stringify(w)}`);
  }
  return r.affectedRows;
}

/** The table's secondary index definitions, as SHOW CREATE TABLE prints them, in its order. */
function secondaryKeys(createTable: string): { name: string; def: string }[] {
  return [...createTable.matchAll(/^\s*((?:UNIQUE )?KEY `([^`]+)` \(.*\)),?$/gm)].map((m) => ({ name: m[2], def: m[1] }));
}

async function showCreate(conn: mysql.Connection, t: string): Promise<string> {
  const [rows] = await conn.query(`SHOW CREATE TABLE \`${t}\``);
  return String((rows as Record<string, string>[])[0]['Create Table']).replace(/ AUTO_INCREMENT=\d+/, '');
}

export async function seed(argv: string[] = process.argv.slice(2)) {
  const args = parseArgs(argv);
  const N = intArg(args, 'customers', 100_000);
  const F = intArg(args, 'followups', 10);
  const perOfficer = Math.max(1, intArg(args, 'per-officer', 5000));
  const chunkSize = Math.max(1000, intArg(args, 'chunk', 20_000));
  const db = dbName(args);
  const method = strArg(args, 'method', 'insert');
  const keepIndexes = args['keep-indexes'] === true;
  if (method !== 'insert' && method !== 'load') throw new Error('--method must be insert or load');
  const t0 = Date.now();
  const now = Date.now();
  const today = shanghaiDate(new Date(now));

  console.log(`\n== seed: ${fmtInt(N)} customers × ${F} follow-ups into ${db} (${MYSQL_ADMIN_URL}) ==`);
  const admin = await mysql.createConnection(MYSQL_ADMIN_URL);
  await admin.query(`DROP DATABASE IF EXISTS \`${db}\``);
  await admin.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();

  const config = benchConfig(db);
  const deps = buildDeps(config);
  await migrateUp(deps.db.sequelize);
  await seedDemo(deps, { customers: 0 });
  const ownersNeeded = Math.round((N * (1 - POOL_SHARE)) / perOfficer);
  const teams = Math.max(0, Math.round((ownersNeeded - 8) / BENCH_TEAM_SIZE));
  const { owners, adminId } = await addBenchTeams(deps, teams);
  const fc = deps.crypto;
  await deps.db.close();
  const tOrg = Date.now();
  console.log(`schema migrated, demo org seeded, ${teams} bench teams added (${fmtSecs(tOrg - t0)})`);

  // Who owns what: weighted draw, officers 1, team leads 0.2; 2 % of customers unowned in the pool.
  const cum: number[] = [];
  let wsum = 0;
  for (const o of owners) cum.push((wsum += o.weight));
  const officers = owners.filter((o) => o.role === 'officer');
  const benchOfficer = officers.find((o) => !o.bench)!; // 张伟, the demo officer everyone knows
  const leadsByTeamSize = owners.filter((o) => o.role === 'team_lead').map((l) => ({ l, n: officers.filter((o) => o.departmentId === l.departmentId).length }));
  const benchLead = leadsByTeamSize.sort((a, b) => b.n - a.n || Number(b.l.bench) - Number(a.l.bench))[0].l;
  const bookSize = new Map<number, number>(owners.map((o) => [o.id, 0]));
  let pooled = 0;

  const rand = prng(20261123 ^ N);
  const sampleRand = prng(7);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)];
  const stageWeightSum = STAGE_WEIGHTS.reduce((a, [, w]) => a + w, 0);
  const stageOf = (): Stage => {
    let r = rand() * stageWeightSum;
    for (const [s, w] of STAGE_WEIGHTS) if ((r -= w) < 0) return s;
    return 'lead';
  };
  const ownerOf = (): Owner => {
    const r = rand() * wsum;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] > r) hi = mid;
      else lo = mid + 1;
    }
    return owners[lo];
  };
  const stageCount = new Map<Stage, number>();
  let dated = 0;
  const SAMPLE = 1000;
  const officerSample: { id: number; phone: string }[] = [];
  let officerSeen = 0;
  const leadSample: { id: number; phone: string }[] = [];
  let leadSeen = 0;
  const leadTeam = new Set([benchLead.departmentId]);

  /** Builds TSV for customers [from, to) and their follow-ups. */
  // TSV lines for LOAD DATA, or SQL tuples for INSERT.
  const fmt = method === 'load'
    ? (v: Val[]) => v.map((x) => (x === null ? '\\N' : tsvField(String(x)))).join('\t')
    : (v: Val[]) => `(${v.map((x) => (x === null ? 'NULL' : typeof x === 'number' ? String(x) : sqlString(x))).join(',')})`;
  const pack = method === 'load' ? (lines: string[]) => `${lines.join('\n')}\n` : (lines: string[]) => lines.join(',');
  const load = method === 'load' ? loadData : insertRows;

  function generate(from: number, to: number): { customers: string[]; followUps: string[] } {
    const cLines: string[] = [];
    const fLines: string[] = [];
    const customers: string[] = [];
    const followUps: string[] = [];
    for (let i = from; i < to; i++) {
      const id = i + 1;
      const phone = phoneOf(i);
      const hasId = rand() < 0.65;
      const idn = hasId ? idNumberOf((i * 104_729) % 110_960_000) : null;
      let stage = stageOf();
      const inPool = rand() < POOL_SHARE;
      if (inPool && stage === 'settled') stage = 'lead';
      const owner = inPool ? null : ownerOf();
      const collateral = pick(COLLATERALS);
      const [lo, hi] = AMOUNT_RANGE[collateral];
      const createdAt = now - Math.floor(rand() * 540 * DAY) - 3_600_000;
      const span = now - 600_000 - createdAt;
      const dates: number[] = [];
      for (let k = 0; k < F; k++) dates.push(createdAt + Math.floor(rand() * span));
      dates.sort((a, b) => a - b);
      const next = owner && !TERMINAL.has(stage) && rand() < 0.92 ? addDays(today, Math.floor(rand() * 61) - 30) : null;
      const stageChangedAt = createdAt + Math.floor((now - createdAt) * 0.6);
      const fuUser = owner?.id ?? officers[i % officers.length].id; // a pooled customer's follow-ups were by its last owner

      stageCount.set(stage, (stageCount.get(stage) ?? 0) + 1);
      if (next) dated++;
      if (owner) bookSize.set(owner.id, bookSize.get(owner.id)! + 1);
      else pooled++;
      if (owner?.id === benchOfficer.id) {
        // Reservoir sample, so the searched phones and opened customers spread over the whole table.
        officerSeen++;
        if (officerSample.length < SAMPLE) officerSample.push({ id, phone });
        else {
          const j = Math.floor(sampleRand() * officerSeen);
          if (j < SAMPLE) officerSample[j] = { id, phone };
        }
      }
      if (owner && (leadTeam.has(owner.departmentId) || owner.id === benchLead.id)) {
        leadSeen++;
        if (leadSample.length < SAMPLE) leadSample.push({ id, phone });
        else {
          const j = Math.floor(sampleRand() * leadSeen);
          if (j < SAMPLE) leadSample[j] = { id, phone };
        }
      }

      cLines.push(
        fmt([
          id,
          `${pick(SURNAMES)}${pick(GIVEN)}`,
          fc.encrypt(phone),
          fc.blindIndex('phone', phone),
          phone.slice(-4),
          idn ? fc.encrypt(idn.id) : NULL,
          idn ? fc.blindIndex('idNumber', idn.id) : NULL,
          idn ? idn.birth : NULL,
          idn ? idn.gender : NULL,
          pick(CITIES),
          pick(['douyin', 'baidu', 'wechat_ads', 'referral', 'street', 'telemarketing', 'partner_rongtong']),
          rand() < 0.3 ? pick(TAGS) : NULL,
          stage,
          owner ? owner.id : NULL,
          owner ? owner.departmentId : NULL,
          owner ? dt(createdAt) : NULL,
          owner ? NULL : dt(now - Math.floor(rand() * 10) * DAY),
          owner ? NULL : pick(POOL_REASONS),
          (lo + Math.floor(rand() * (hi - lo))) * 1_000_000,
          pick(TERMS),
          pick(PURPOSES),
          collateral,
          (5 + Math.floor(rand() * 45)) * 100_000,
          rand() < 0.2 ? pick(REMARKS) : NULL,
          next ?? NULL,
          F ? dt(dates[F - 1]) : NULL,
          dt(stageChangedAt),
          NULL,
          NULL,
          owner ? owner.id : adminId,
          dt(createdAt),
          dt(stageChangedAt),
        ]),
      );
      for (let k = 0; k < F; k++) {
        const type = pick(FU_TYPES);
        fLines.push(fmt([i * F + k + 1, id, fuUser, type, pick(NOTES[type]), pick(OUTCOMES), k === F - 1 && next ? next : NULL, NULL, dt(dates[k])]));
      }
      if (fLines.length >= 20_000) {
        followUps.push(pack(fLines));
        fLines.length = 0;
      }
      if (cLines.length >= 5_000) {
        customers.push(pack(cLines));
        cLines.length = 0;
      }
    }
    if (cLines.length) customers.push(pack(cLines));
    if (fLines.length) followUps.push(pack(fLines));
    return { customers, followUps };
  }

  // Two connections, one per table, each one long bulk-insert transaction.
  const open = async () => {
    const c = await mysql.createConnection({ uri: `${MYSQL_ADMIN_URL}/${db}`, charset: 'utf8mb4', multipleStatements: false });
    await c.query('SET SESSION unique_checks = 0, foreign_key_checks = 0');
    return c;
  };
  const cConn = await open();
  const fConn = F > 0 ? await open() : null;
  const schemaBefore = [await showCreate(cConn, 'customers'), await showCreate(cConn, 'follow_ups')];
  const tables = ['customers', 'follow_ups'] as const;
  const keys = schemaBefore.map(secondaryKeys);
  if (!keepIndexes) {
    // Loading into the bare clustered index and building each secondary index afterwards by one sort
    // is far faster than growing random-order indexes (phone_hash…) through a small buffer pool.
    for (const [k, t] of tables.entries()) {
      if (keys[k].length) await cConn.query(`ALTER TABLE \`${t}\` ${keys[k].map((x) => `DROP KEY \`${x.name}\``).join(', ')}`);
    }
  }
  await cConn.query('START TRANSACTION');
  await fConn?.query('START TRANSACTION');

  let genMs = 0;
  let loaded = 0;
  let pending: Promise<unknown> = Promise.resolve();
  let nextReport = 0;
  const tLoad = Date.now();
  for (let from = 0; from < N; from += chunkSize) {
    const to = Math.min(N, from + chunkSize);
    const g0 = Date.now();
    const chunk = generate(from, to);
    genMs += Date.now() - g0;
    await pending; // the server finishes chunk k-1 while chunk k was being generated
    loaded = from;
    if (loaded >= nextReport && loaded > 0) {
      const el = Date.now() - tLoad;
      console.log(`  ${fmtInt(loaded).padStart(11)} customers, ${fmtInt(loaded * F).padStart(12)} follow-ups sent  ${fmtSecs(el).padStart(10)}  ${fmtInt(Math.round((loaded / el) * 1000))} customers/s`);
      nextReport += Math.max(chunkSize, Math.ceil(N / 10 / chunkSize) * chunkSize);
    }
    pending = Promise.all([
      load(cConn, 'customers', CUSTOMER_COLUMNS, chunk.customers),
      fConn ? load(fConn, 'follow_ups', FOLLOW_UP_COLUMNS, chunk.followUps) : 0,
    ]);
  }
  await pending;
  const tSent = Date.now();
  console.log(`  ${fmtInt(N).padStart(11)} customers, ${fmtInt(N * F).padStart(12)} follow-ups sent  ${fmtSecs(tSent - tLoad).padStart(10)}  (generation + encryption ${fmtSecs(genMs)} of it)`);
  console.log('  committing…');
  await Promise.all([cConn.query('COMMIT'), fConn?.query('COMMIT')]);
  const tCommit = Date.now();
  console.log(`  committed in ${fmtSecs(tCommit - tSent)}`);
  await cConn.query('SET SESSION unique_checks = 1, foreign_key_checks = 1');
  await fConn?.query('SET SESSION unique_checks = 1, foreign_key_checks = 1');
  if (!keepIndexes) {
    console.log(`  re-adding the secondary indexes (${keys[0].length} on customers, ${keys[1].length} on follow_ups), one sort each…`);
    await Promise.all(
      tables.map((t, k) =>
        keys[k].length ? (k === 0 || !fConn ? cConn : fConn).query(`ALTER TABLE \`${t}\` ${keys[k].map((x) => `ADD ${x.def}`).join(', ')}`) : null,
      ),
    );
  }
  const tIndex = Date.now();
  if (!keepIndexes) console.log(`  indexes built in ${fmtSecs(tIndex - tCommit)}`);
  await cConn.query('ANALYZE TABLE customers, follow_ups');
  const tAnalyze = Date.now();

  const [[counts]] = (await cConn.query(
    'SELECT (SELECT COUNT(*) FROM customers) AS customers, (SELECT COUNT(*) FROM follow_ups) AS followUps',
  )) as unknown as [[{ customers: number; followUps: number }]];
  const schemaAfter = [await showCreate(cConn, 'customers'), await showCreate(cConn, 'follow_ups')];
  const [sizes] = (await cConn.query(
    `SELECT table_name AS t, ROUND(data_length/1048576) AS dataMb, ROUND(index_length/1048576) AS indexMb
       FROM information_schema.tables WHERE table_schema = ? AND table_name IN ('customers', 'follow_ups') ORDER BY table_name`,
    [db],
  )) as unknown as [{ t: string; dataMb: number; indexMb: number }[]];
  await cConn.end();
  await fConn?.end();
  const tVerify = Date.now();
  const total = tVerify - t0;

  const officerBooks = officers.map((o) => bookSize.get(o.id)!).sort((a, b) => a - b);
  const leads = owners.filter((o) => o.role === 'team_lead');
  const leadBooks = leads.map((o) => bookSize.get(o.id)!).sort((a, b) => a - b);
  const teamBook = [...bookSize].filter(([uid]) => owners.find((o) => o.id === uid)!.departmentId === benchLead.departmentId).reduce((a, [, n]) => a + n, 0);
  console.log('\nDistribution:');
  console.log(
    `  owners: ${officers.length} officers (${officers.filter((o) => !o.bench).length} demo + ${officers.filter((o) => o.bench).length} bench) and ${leads.length} team leads ` +
      `(${leads.filter((o) => !o.bench).length} demo + ${leads.filter((o) => o.bench).length} bench) in ${3 + teams} teams under the 2 demo branches; ` +
      `a customer goes to an officer with weight 1, to a team lead with weight ${LEAD_WEIGHT}; ${fmtInt(pooled)} (${(POOL_SHARE * 100).toFixed(0)} %) wait unowned in the pool.`,
  );
  console.log(`  officer book: min ${fmtInt(officerBooks[0])}, median ${fmtInt(officerBooks[officerBooks.length >> 1])}, max ${fmtInt(officerBooks[officerBooks.length - 1])}; team lead own book: median ${fmtInt(leadBooks[leadBooks.length >> 1])}`);
  console.log(`  stages: ${STAGE_FLOW.concat(['bad_debt', 'lost']).map((s) => `${s} ${((100 * (stageCount.get(s as Stage) ?? 0)) / N).toFixed(1)}%`).join(', ')}`);
  console.log(`  next_follow_up_date: ${((100 * dated) / N).toFixed(1)} % dated, spread ${addDays(today, -30)} … ${addDays(today, 30)} (today ±30 d); terminal stages and the pool undated`);
  console.log(`  created_at over the last 540 days; ${F} follow-ups per customer between creation and now; 65 % have an ID number; all phones/IDs AES-256-GCM + HMAC blind index`);
  console.log(`  load-test identities: officer ${benchOfficer.name} (#${benchOfficer.id}, ${fmtInt(bookSize.get(benchOfficer.id)!)} customers); team lead ${benchLead.name} (#${benchLead.id}, team book ${fmtInt(teamBook)} customers)`);
  console.log('\nResult:');
  console.log(table(['table', 'rows', 'data MB', 'index MB'], sizes.map((s) => [s.t, fmtInt(Number(s.t === 'customers' ? counts.customers : counts.followUps)), s.dataMb, s.indexMb])));
  const schemaSame = schemaBefore.every((s, k) => s === schemaAfter[k]);
  console.log(`  schema after load identical to the migration's: ${schemaSame ? 'yes' : 'NO'}`);
  if (Number(counts.customers) !== N || Number(counts.followUps) !== N * F || !schemaSame) throw new Error('seed verification failed');
  console.log(`  timings: org ${fmtSecs(tOrg - t0)}, load ${fmtSecs(tSent - tLoad)}, commit ${fmtSecs(tCommit - tSent)}, index build ${fmtSecs(tIndex - tCommit)}, analyze ${fmtSecs(tAnalyze - tIndex)}, verify (counts, schema) ${fmtSecs(tVerify - tAnalyze)}, total ${fmtSecs(total)}`);

  const side = {
    db,
    customers: N,
    followUpsPerCustomer: F,
    seededAt: new Date(now).toISOString(),
    seedSeconds: Math.round(total / 100) / 10,
    keyFingerprint: keyFingerprint(config),
    officer: { id: benchOfficer.id, name: benchOfficer.name, book: bookSize.get(benchOfficer.id), sample: officerSample },
    teamLead: { id: benchLead.id, name: benchLead.name, departmentId: benchLead.departmentId, book: teamBook, sample: leadSample },
  };
  // One entry per database, so a 100k and a 1M database can sit side by side.
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(fs.readFileSync(LAST_SEED_FILE, 'utf8')) as Record<string, unknown>;
    if ('db' in all) all = {}; // an older single-seed file
  } catch {
    /* none yet */
  }
  all[db] = side;
  fs.writeFileSync(LAST_SEED_FILE, JSON.stringify(all, null, 1));
  console.log(`  sample phones for the load test written to bench/.last-seed.json (e.g. ${officerSample.slice(0, 3).map((s) => s.phone).join(', ')})`);
  console.log(`\nseeded ${fmtInt(N)} customers + ${fmtInt(N * F)} follow-ups in ${fmtSecs(total)}`);
  return side;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bench/seed.ts')) {
  seed().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
