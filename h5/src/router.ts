// History-mode routes; every page is its own chunk so the first screen loads only itself.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { useSessionStore } from '@/stores/session';
import { setUnauthorizedHandler } from '@/utils/request';

declare module 'vue-router' {
  interface RouteMeta {
    title?: string;
    /** Shows the bottom tab bar. */
    tab?: boolean;
    /** Reachable without a session. */
    public?: boolean;
    /** Only for admins. */
    admin?: boolean;
  }
}

// WeCom's OAuth URL ends with #wechat_redirect and browsers carry a fragment across redirects,
// so the page we land on after signing in would keep it: drop it before the router reads the URL.
if (location.hash === '#wechat_redirect') history.replaceState(history.state, '', location.pathname + location.search);

const routes: RouteRecordRaw[] = [
  { path: '/login', component: () => import('@/pages/LoginPage.vue'), meta: { title: '登录', public: true } },
  { path: '/no-access', component: () => import('@/pages/NoAccessPage.vue'), meta: { title: '无法登录', public: true } },
  { path: '/', component: () => import('@/pages/WorkbenchPage.vue'), meta: { title: '工作台', tab: true } },
  { path: '/customers', component: () => import('@/pages/CustomerListPage.vue'), meta: { title: '客户', tab: true } },
  { path: '/customers/new', component: () => import('@/pages/CustomerNewPage.vue'), meta: { title: '新客户' } },
  { path: '/customers/:id(\\d+)', component: () => import('@/pages/CustomerDetailPage.vue'), props: (r) => ({ id: Number(r.params.id) }), meta: { title: '客户详情' } },
  { path: '/customers/:id(\\d+)/edit', component: () => import('@/pages/CustomerEditPage.vue'), props: (r) => ({ id: Number(r.params.id) }), meta: { title: '编辑资料' } },
  { path: '/pool', component: () => import('@/pages/PoolPage.vue'), meta: { title: '公海' } },
  { path: '/approvals', component: () => import('@/pages/ApprovalsPage.vue'), meta: { title: '审批', tab: true } },
  { path: '/approvals/:id(\\d+)', component: () => import('@/pages/ApplicationDetailPage.vue'), props: (r) => ({ id: Number(r.params.id) }), meta: { title: '进件详情' } },
  { path: '/applications/new', component: () => import('@/pages/ApplicationNewPage.vue'), props: (r) => ({ customerId: Number(r.query.customerId) || undefined }), meta: { title: '提交进件' } },
  { path: '/applications/:id(\\d+)/edit', component: () => import('@/pages/ApplicationNewPage.vue'), props: (r) => ({ id: Number(r.params.id) }), meta: { title: '修改进件' } },
  { path: '/admin/flows', component: () => import('@/pages/AdminFlowsPage.vue'), meta: { title: '审批流程', admin: true } },
  { path: '/admin/flows/new', component: () => import('@/pages/AdminFlowEditPage.vue'), meta: { title: '新建审批流程', admin: true } },
  { path: '/admin/flows/:id(\\d+)', component: () => import('@/pages/AdminFlowEditPage.vue'), props: (r) => ({ id: Number(r.params.id) }), meta: { title: '编辑审批流程', admin: true } },
  { path: '/me', component: () => import('@/pages/MePage.vue'), meta: { title: '我的', tab: true } },
  { path: '/data', component: () => import('@/pages/DataPage.vue'), meta: { title: '数据', tab: true } },
  { path: '/data/drill', component: () => import('@/pages/DataDrillPage.vue'), meta: { title: '数据明细' } },
  { path: '/data/builder', component: () => import('@/pages/ReportBuilderPage.vue'), meta: { title: '报表构建器' } },
  { path: '/data/channel-costs', component: () => import('@/pages/ChannelCostsPage.vue'), meta: { title: '渠道费用与ROI' } },
  { path: '/data/dashboards', component: () => import('@/pages/DashboardsPage.vue'), meta: { title: '我的看板' } },
  { path: '/admin/staff', component: () => import('@/pages/AdminStaffPage.vue'), meta: { title: '员工与离职交接', admin: true } },
  { path: '/staff/leave', component: () => import('@/pages/StaffLeavePage.vue'), meta: { title: '请假与休假' } },
  { path: '/admin/bot', component: () => import('@/pages/AdminBot.vue'), meta: { title: '消息投递', admin: true } },
  { path: '/admin/robots', component: () => import('@/pages/AdminRobots.vue'), meta: { title: '群机器人设置', admin: true } },
  { path: '/admin/risk', component: () => import('@/pages/AdminRiskRules.vue'), meta: { title: '风控规则' } },
  { path: '/admin/risk/blacklist', component: () => import('@/pages/AdminBlacklist.vue'), meta: { title: '内部黑名单' } },
  { path: '/admin/org-sync', component: () => import('@/pages/AdminOrgSyncPage.vue'), meta: { title: '组织架构同步', admin: true } },
  { path: '/admin/jobs', component: () => import('@/pages/AdminJobs.vue'), meta: { title: '定时任务', admin: true } },
  { path: '/admin/ladder', component: () => import('@/pages/AdminLadderPage.vue'), meta: { title: '跟进阶梯', admin: true } },
  { path: '/admin/sms', component: () => import('@/pages/AdminSmsPage.vue'), meta: { title: '短信', admin: true } },
  { path: '/admin/products', component: () => import('@/pages/AdminProductsPage.vue'), meta: { title: '产品管理', admin: true } },
  { path: '/admin/products/new', component: () => import('@/pages/AdminProductEditPage.vue'), meta: { title: '新增产品', admin: true } },
  { path: '/admin/products/:id(\\d+)', component: () => import('@/pages/AdminProductEditPage.vue'), props: (r) => ({ id: Number(r.params.id) }), meta: { title: '编辑产品', admin: true } },
  { path: '/admin/assignment-rules', component: () => import('@/pages/AdminAssignmentRules.vue'), meta: { title: '线索自动分配', admin: true } },
  { path: '/loans', component: () => import('@/pages/LoanListPage.vue'), meta: { title: '贷款台账' } },
  { path: '/loans/:id(\\d+)', component: () => import('@/pages/LoanDetailPage.vue'), props: (r) => ({ id: Number(r.params.id) }), meta: { title: '贷款详情' } },
  { path: '/finance/disburse', component: () => import('@/pages/LoanDisbursePage.vue'), meta: { title: '放款登记' } },
  { path: '/finance/import', component: () => import('@/pages/LoanImportPage.vue'), meta: { title: '还款导入' } },
  { path: '/collections', component: () => import('@/pages/CollectionsPage.vue'), meta: { title: '催收' } },
  { path: '/collections/loans/:id(\\d+)', component: () => import('@/pages/CollectionLoanPage.vue'), props: (r) => ({ id: Number(r.params.id) }), meta: { title: '催收详情' } },
  { path: '/commissions/rules', component: () => import('@/pages/AdminCommissionRules.vue'), meta: { title: '返佣规则' } },
  { path: '/commissions/statements', component: () => import('@/pages/CommissionStatementsPage.vue'), meta: { title: '返佣对账单' } },
  { path: '/:pathMatch(.*)*', component: () => import('@/pages/NotFoundPage.vue'), meta: { title: '页面不存在', public: true } },
];

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
});

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  const session = useSessionStore();
  let me = await session.ensure();
  if (!me) {
    // Inside WeCom / DingTalk: sign in silently instead of showing a sign-in page.
    const silent = await session.messengerSignIn(to.fullPath);
    if (silent === 'leaving') return false;
    if (typeof silent === 'object') return { path: '/no-access', query: { reason: silent.refused, ...(to.fullPath !== '/' ? { redirect: to.fullPath } : {}) } };
    me = session.me;
  }
  if (!me) return { path: '/login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  if (to.meta.admin && me.role !== 'admin') return { path: '/me' };
  return true;
});

router.afterEach((to) => {
  // WeCom and DingTalk show document.title in their title bar.
  document.title = to.meta.title ? `${to.meta.title} · 信贷CRM` : '信贷CRM';
});

setUnauthorizedHandler(() => {
  const session = useSessionStore();
  session.me = null;
  const current = router.currentRoute.value;
  if (current.path !== '/login') void router.replace({ path: '/login', query: { redirect: current.fullPath } });
});

/** Back to where the user came from, or to a sensible parent when the page was opened directly. */
export function goBack(fallback = '/') {
  if (window.history.state?.back) router.back();
  else void router.replace(fallback);
}
