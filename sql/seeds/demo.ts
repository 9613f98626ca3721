// Demo data for trying the product: a head office, 2 branches with 3 teams, 18 staff in every
// role, 7 channels (one a signed partner) and 300 customers across all stages, with follow-ups,
// stage and owner history. Deterministic (seeded PRNG) so screenshots and docs stay stable.
import type { Deps } from '../../server/src/deps';
import type { Role } from '../../server/src/contracts/roles';
import { STAGE_FLOW, type Stage } from '../../server/src/contracts/stages';
import type { Collateral, FollowUpOutcome, FollowUpType } from '../../server/src/contracts/catalog';
import { addDays, shanghaiDate } from '../../server/src/contracts/dates';
import { idCheckChar } from '../../server/src/contracts/identity';
import { seedDemoApplications } from './demo-applications';
import { seedDemoLoans } from './demo-loans';
import { linkDemoApplications, seedDemoProducts } from './demo-products';
import { seedDemoReports } from './demo-reports';
import { seedDemoReportBuilder } from './demo-report-builder';
import { seedDemoCollections } from './demo-collections';
import { seedDemoSms } from './demo-sms';
import { seedDemoContracts } from './demo-contracts';
import { seedDemoLoanStates } from './demo-loan-states';

export const DEMO_PARTNER = { code: 'partner_rongtong', apiKey: 'demo-rongtong-key', secret: 'demo-rongtong-secret-0123456789abcdef' };

/** Deterministic PRNG (mulberry32): the demo and the benchmark seeds are reproducible. */
export function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁沈任姚卢傅钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤';
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '霞', '平', '刚', '桂英', '建华', '文', '华', '红', '建国', '志强', '海燕', '晓东', '雪', '婷', '宇', '浩', '鑫', '佳怡', '子轩', '欣怡', '梓涵', '思远'];
const CITIES = ['杭州', '苏州', '宁波', '绍兴', '无锡', '上海', '嘉兴', '湖州'];
const AREA_CODES = ['330102', '330106', '320505', '330203', '330602', '320214', '310104', '330402'];
const PURPOSES = ['经营周转', '购车', '装修', '教育', '资金周转', '扩大生产', '医疗', '结婚', '置换旧贷'];

const CHANNELS = [
  { code: 'douyin', name: '抖音' },
  { code: 'baidu', name: '百度推广' },
  { code: 'wechat_ads', name: '朋友圈广告' },
  { code: 'referral', name: '老客户转介绍' },
  { code: 'street', name: '地推' },
  { code: 'telemarketing', name: '电销' },
  { code: DEMO_PARTNER.code, name: '合作机构·融通' },
];

function idNumberFor(rand: () => number, area: string): string {
  const y = 1965 + Math.floor(rand() * 38);
  const m = 1 + Math.floor(rand() * 12);
  const d = 1 + Math.floor(rand() * 28);
  const seq = String(Math.floor(rand() * 1000)).padStart(3, '0');
  const first17 = `${area}${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${seq}`;
  return first17 + idCheckChar(first17);
}

export async function seedDemo(deps: Deps, opts: { customers?: number; now?: Date } = {}) {
  const { db, crypto: fc } = deps;
  const m = db.models;
  if ((await m.User.count()) > 0) return { seeded: false };
  const rand = prng(20261123);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)];
  const now = opts.now ?? new Date();
  const today = shanghaiDate(now);
  const total = opts.customers ?? 300;

  await db.transaction(async (t) => {
    const dept = async (name: string, kind: 'head_office' | 'branch' | 'team', parent?: { id: number; path: string }) => {
      const d = await m.Department.create({ name, kind, parentId: parent?.id ?? null, path: '/' }, { transaction: t });
      d.path = `${parent?.path ?? '/'}${d.id}/`;
      await d.save({ transaction: t });
      return d;
    };
    const hq = await dept('总部', 'head_office');
    const hz = await dept('杭州分公司', 'branch', hq);
    const hz1 = await dept('杭州一部', 'team', hz);
    const hz2 = await dept('杭州二部', 'team', hz);
    const sz = await dept('苏州分公司', 'branch', hq);
    const sz1 = await dept('苏州一部', 'team', sz);

    const user = async (name: string, role: Role, departmentId: number, supervisorId: number | null, title: string) =>
      m.User.create({ name, role, departmentId, supervisorId, title }, { transaction: t });
    const admin = await user('王敏', 'admin', hq.id, null, '系统管理员');
    const director = await user('陈刚', 'director', hq.id, null, '业务总监');
    await user('李娜', 'risk', hq.id, director.id, '风控专员');
    await user('赵磊', 'risk', hq.id, director.id, '风控专员');
    await user('孙丽', 'finance', hq.id, director.id, '财务');
    const hzMgr = await user('周强', 'branch_manager', hz.id, director.id, '分公司经理');
    const szMgr = await user('马超', 'branch_manager', sz.id, director.id, '分公司经理');
    const hz1Lead = await user('吴婷', 'team_lead', hz1.id, hzMgr.id, '团队主管');
    const hz2Lead = await user('郑浩', 'team_lead', hz2.id, hzMgr.id, '团队主管');
    const sz1Lead = await user('罗琳', 'team_lead', sz1.id, szMgr.id, '团队主管');
    const officers = [
      await user('张伟', 'officer', hz1.id, hz1Lead.id, '信贷经理'),
      await user('刘洋', 'officer', hz1.id, hz1Lead.id, '信贷经理'),
      await user('黄静', 'officer', hz1.id, hz1Lead.id, '信贷经理'),
      await user('何丹', 'officer', hz2.id, hz2Lead.id, '信贷经理'),
      await user('林峰', 'officer', hz2.id, hz2Lead.id, '信贷经理'),
      await user('梁宇', 'officer', sz1.id, sz1Lead.id, '信贷经理'),
      await user('宋佳', 'officer', sz1.id, sz1Lead.id, '信贷经理'),
      await user('唐磊', 'officer', sz1.id, sz1Lead.id, '信贷经理'),
    ];
    hq.leaderId = director.id;
    hz.leaderId = hzMgr.id;
    sz.leaderId = szMgr.id;
    hz1.leaderId = hz1Lead.id;
    hz2.leaderId = hz2Lead.id;
    sz1.leaderId = sz1Lead.id;
    for (const d of [hq, hz, sz, hz1, hz2, sz1]) await d.save({ transaction: t });

    for (const c of CHANNELS) {
      const partner = c.code === DEMO_PARTNER.code;
      await m.Channel.create({ ...c, apiKey: partner ? DEMO_PARTNER.apiKey : null, secretEnc: partner ? fc.encrypt(DEMO_PARTNER.secret) : null }, { transaction: t });
    }

    // Officers carry most of the book; leads keep a few customers of their own.
    const owners = [...officers, ...officers, ...officers, hz1Lead, hz2Lead, sz1Lead];
    const phones = new Set<string>();
    const ids = new Set<string>();
    // Stage mix: most customers early in the funnel, as in a real book.
    const STAGE_WEIGHTS: [Stage, number][] = [
      ['lead', 24], ['intent', 20], ['due_diligence', 12], ['under_approval', 8], ['signed', 5],
      ['disbursed', 4], ['repaying', 10], ['settled', 5], ['bad_debt', 2], ['lost', 10],
    ];
    const weightSum = STAGE_WEIGHTS.reduce((a, [, w]) => a + w, 0);
    const stageOf = () => {
      let r = rand() * weightSum;
      for (const [s, w] of STAGE_WEIGHTS) if ((r -= w) < 0) return s;
      return 'lead' as Stage;
    };
    const collaterals: Collateral[] = ['house', 'house', 'vehicle', 'credit', 'credit', 'policy', 'other'];
    const amountFor = (c: Collateral) => {
      const ranges: Record<Collateral, [number, number]> = { house: [50, 500], vehicle: [5, 50], credit: [1, 30], policy: [5, 50], other: [5, 100] };
      const [lo, hi] = ranges[c];
      return (lo + Math.floor(rand() * (hi - lo))) * 10000 * 100; // whole 万元, in fen
    };
    const fuTypes: FollowUpType[] = ['call', 'call', 'call', 'wechat', 'wechat', 'visit', 'note'];
    const outcomes: FollowUpOutcome[] = ['interested', 'considering', 'need_documents', 'no_answer', 'not_interested', 'interested'];
    const notes: Record<FollowUpType, string[]> = {
      call: ['电话沟通贷款需求,客户对利率比较关心', '电话未接通,稍后再打', '确认了月收入和社保缴纳情况', '客户表示需要和家人商量'],
      wechat: ['微信发送了所需资料清单', '客户微信发来了房产证照片', '微信沟通还款方式,倾向等额本息'],
      visit: ['上门面谈,核实了经营场所', '到店面签,收集了身份证和银行流水', '实地看房,房产位置较好'],
      note: ['客户征信有两次逾期,需风控重点关注', '客户名下有一辆车,可作为补充担保'],
    };

    for (let i = 0; i < total; i++) {
      let phone: string;
      do phone = `1${pick(['3', '5', '7', '8', '9'])}${String(Math.floor(rand() * 1e9)).padStart(9, '0')}`;
      while (phones.has(phone));
      phones.add(phone);
      let idNumber: string | null = null;
      if (rand() < 0.65) {
        do idNumber = idNumberFor(rand, pick(AREA_CODES));
        while (ids.has(idNumber));
        ids.add(idNumber);
      }
      const stage = stageOf();
      const inPool = stage !== 'settled' && i % 15 === 7; // about 20 customers wait in the public pool
      const owner = inPool ? null : pick(owners);
      const collateral = pick(collaterals);
      const createdAt = new Date(now.getTime() - Math.floor(rand() * 90 * 86400_000) - 3600_000);
      const flowIdx = STAGE_FLOW.indexOf(stage);
      const path: Stage[] = stage === 'lost' ? ['lead', 'intent', 'lost'].slice(rand() < 0.5 ? 1 : 0) as Stage[] : stage === 'bad_debt' ? [...STAGE_FLOW.slice(0, 7), 'bad_debt'] : STAGE_FLOW.slice(0, flowIdx + 1);
      if (path[0] !== 'lead') path.unshift('lead');
      const active = !['settled', 'bad_debt', 'lost'].includes(stage);
      const nextOffset = Math.floor(rand() * 12) - 4; // some overdue, some today, most ahead
      const fuCount = stage === 'lead' && rand() < 0.4 ? 0 : 1 + Math.floor(rand() * 5);
      const idInfo = idNumber ? { birthDate: `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`, gender: Number(idNumber[16]) % 2 ? 'male' as const : 'female' as const } : { birthDate: null, gender: null };
      const followDates: Date[] = [];
      for (let k = 0; k < fuCount; k++) {
        followDates.push(new Date(Math.min(now.getTime() - 600_000, createdAt.getTime() + Math.floor(rand() * (now.getTime() - createdAt.getTime())))));
      }
      followDates.sort((a, b) => a.getTime() - b.getTime());
      const stageChangedAt = new Date(createdAt.getTime() + (now.getTime() - createdAt.getTime()) * 0.6);
      const c = await m.Customer.create(
        {
          name: `${pick([...SURNAMES])}${pick(GIVEN)}`,
          phoneEnc: fc.encrypt(phone),
          phoneHash: fc.blindIndex('phone', phone),
          phoneLast4: phone.slice(-4),
          idNumberEnc: idNumber ? fc.encrypt(idNumber) : null,
          idNumberHash: idNumber ? fc.blindIndex('idNumber', idNumber) : null,
          ...idInfo,
          city: pick(CITIES),
          channel: pick(CHANNELS).code,
          campaignTags: rand() < 0.3 ? [pick(['双十一活动', '春季推广', '老带新', '房抵专场'])] : null,
          stage,
          ownerId: owner?.id ?? null,
          departmentId: owner?.departmentId ?? null,
          assignedAt: owner ? createdAt : null,
          pooledAt: owner ? null : new Date(now.getTime() - Math.floor(rand() * 10) * 86400_000),
          poolReason: owner ? null : pick(['超过 7 天未跟进,自动退回公海', '员工主动退回:客户暂无需求', '渠道线索待分配']),
          loanAmountFen: amountFor(collateral),
          loanTermMonths: pick([12, 24, 36, 60, 120]),
          loanPurpose: pick(PURPOSES),
          collateral,
          monthlyIncomeFen: (5 + Math.floor(rand() * 45)) * 1000 * 100,
          nextFollowUpDate: active && owner && stage !== 'lead' ? addDays(today, nextOffset) : active && owner && rand() < 0.5 ? addDays(today, nextOffset) : null,
          lastFollowUpAt: followDates.length ? followDates[followDates.length - 1] : null,
          stageChangedAt,
          createdBy: owner?.id ?? admin.id,
          createdAt,
          updatedAt: stageChangedAt,
        },
        { transaction: t },
      );
      await m.StageChange.bulkCreate(
        path.map((s, k) => ({ customerId: c.id, fromStage: k === 0 ? null : path[k - 1], toStage: s, actorId: owner?.id ?? null, createdAt: new Date(createdAt.getTime() + ((stageChangedAt.getTime() - createdAt.getTime()) * k) / Math.max(1, path.length - 1)) })),
        { transaction: t },
      );
      await m.OwnerChange.create({ customerId: c.id, fromUserId: null, toUserId: owner?.id ?? null, kind: owner ? 'create' : 'intake', actorId: owner?.id ?? null, createdAt }, { transaction: t });
      if (owner) {
        await m.FollowUp.bulkCreate(
          followDates.map((at) => {
            const type = pick(fuTypes);
            return { customerId: c.id, userId: owner.id, type, content: pick(notes[type]), outcome: pick(outcomes), nextFollowUpDate: null, createdAt: at };
          }),
          { transaction: t },
        );
      }
    }
  });
  // A few applications in every state, so the 审批 tab is not empty (needs customers: skipped for tests).
  if (total > 0) await seedDemoProducts(deps); // the product catalogue and sample contract templates (C14, C15)
  if (total > 0) await seedDemoApplications(deps);
  if (total > 0) await seedDemoLoans(deps, { now }); // loans with schedules and payments for the demo book (C16, C17)
  // After the loans: approved demo applications, the loans' own included, get a catalogue product (合同 can be generated)
  if (total > 0) await linkDemoApplications(deps);
  if (total > 0) await seedDemoContracts(deps); // 合同: one signed, one 待确认, one 待签署 (C15)
  if (total > 0) await seedDemoReportBuilder(deps); // saved reports on 我的看板 (C23)
  if (total > 0) await seedDemoCollections(deps, { now }); // 催收 and 返佣 over the demo loans (C19, C20)
  if (total > 0) await seedDemoLoanStates(deps); // one disbursement reversed: 已冲正 on 贷款台账 (C16)
  if (total > 0) await seedDemoSms(deps, { now }); // 还款/逾期短信 over the demo loans, console provider only (C18)
  await seedDemoReports(deps, { withCosts: total > 0 }); // last: rollups from everything seeded above
  return { seeded: true };
}
