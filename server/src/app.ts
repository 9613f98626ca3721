// Builds the Koa application without listening, so tests mount it and main.ts serves it.
import path from 'node:path';
import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import type { Logger } from 'pino';
import type { Config } from '../../config';
import { createDb, type Db } from './db/connection';
import { createLogger } from './logger';
import type { Deps } from './deps';
import { errorHandler } from './http/error-handler';
import { sessionMiddleware } from './http/auth';
import { buildOpenApi, buildRouter, route } from './http/route';
import { AppError } from './http/errors';
import { h5Static } from './http/static';
import { createFieldCrypto } from './modules/crypto/field-crypto';
import { createOrgService } from './modules/org/org.service';
import { createChannelService } from './modules/channels/channel.service';
import { createAuditService } from './modules/audit/audit.service';
import { createEventService } from './modules/events/events.service';
import { createMessengers, type MessengerOptions } from './modules/messenger/messengers';
import { createCallbackService, type CallbackServiceOptions } from './modules/callbacks/callback.service';
import { createCallbackReceiver } from './modules/callbacks/callback-receiver';
import { wecomCallbackRoutes } from './modules/callbacks/wecom-callback.routes';
import { dingtalkCallbackRoutes } from './modules/callbacks/dingtalk-callback.routes';
import { registerChatCommands } from './modules/callbacks/commands';
import { createSessionCodec } from './modules/auth/session';
import { createCustomerService } from './modules/customers/customer.service';
import { createOwnershipService } from './modules/customers/ownership.service';
import { createFollowUpService } from './modules/followups/follow-up.service';
import { createIntakeService } from './modules/intake/intake.service';
import { authRoutes } from './modules/auth/auth.routes';
import { ssoRoutes } from './modules/auth/sso.routes';
import { createSsoService } from './modules/auth/sso.service';
import { jssdkRoutes } from './modules/messenger/jssdk.routes';
import { createJssdkService } from './modules/messenger/jssdk.service';
import { customerRoutes } from './modules/customers/customer.routes';
import { followUpRoutes } from './modules/followups/follow-up.routes';
import { orgRoutes } from './modules/org/org.routes';
import { leaveRoutes } from './modules/org/leave.routes';
import { createLeaveService } from './modules/org/leave.service';
import { channelRoutes } from './modules/channels/channel.routes';
import { intakeRoutes } from './modules/intake/intake.routes';
import { auditRoutes } from './modules/audit/audit.routes';
import { createApplicationModule } from './modules/applications/application.module';
import { createRiskService } from './modules/risk/risk.service';
import { riskRoutes } from './modules/risk/risk.routes';
import { createBotService } from './modules/bot/bot.service';
import { createBotAdminService } from './modules/bot/bot-admin.service';
import { createTeamRobotService } from './modules/bot/team-robot.service';
import { botRoutes } from './modules/bot/bot.routes';
import { createDispatcher } from '../../bot/src/outbox/dispatcher';
import { orgSyncRoutes } from './modules/orgsync/orgsync.routes';
import { createOrgSyncService } from './modules/orgsync/orgsync.service';
import { createAssignmentService } from './modules/assignment/assignment.service';
import { assignmentRoutes } from './modules/assignment/assignment.routes';
import { createLadderService } from './modules/ladder/ladder.service';
import { ladderRoutes } from './modules/ladder/ladder.routes';
import { createTaskService } from './modules/tasks/task.service';
import { taskRoutes } from './modules/tasks/task.routes';
import { createJobsService } from './modules/jobs/jobs.service';
import { jobsRoutes } from './modules/jobs/jobs.routes';
import { createProductService } from './modules/products/product.service';
import { productRoutes } from './modules/products/product.routes';
import { createContractService } from './modules/contracts/contract.service';
import { contractRoutes } from './modules/contracts/contract.routes';
import { createDiskStorage } from './modules/applications/documents.storage';
import { createSmsService } from './modules/sms/sms.service';
import { smsRoutes } from './modules/sms/sms.routes';
import { createCollectionService } from './modules/collections/collection.service';
import { collectionRoutes } from './modules/collections/collection.routes';
import { createCommissionService } from './modules/commissions/commission.service';
import { commissionRoutes } from './modules/commissions/commission.routes';
import { createReportBuilderService } from './modules/reports/builder/builder.service';
import { reportBuilderRoutes } from './modules/reports/builder/builder.routes';
import { createMetricsService } from './modules/reports/metrics.service';
import { createChannelCostService } from './modules/reports/channel-cost.service';
import { reportRoutes } from './modules/reports/reports.routes';
import { summaryRoutes } from './modules/reports/summary/summary.routes';
import { createLoanService } from './modules/loans/loan.service';
import { createLoanImportService } from './modules/loans/loan.import';
import { loanRoutes } from './modules/loans/loan.routes';

const API_PREFIX = '/api/v1';
export const H5_DIST = path.resolve(import.meta.dirname, '../../h5/dist');

export function buildDeps(config: Config, opts: { db?: Db; log?: Logger; messengers?: MessengerOptions; callbacks?: CallbackServiceOptions; bot?: { now?: () => number } } = {}): Deps {
  const db = opts.db ?? createDb(config);
  const log = opts.log ?? createLogger(config.logLevel);
  const crypto = createFieldCrypto(config.crypto.encryptionKey, config.crypto.hashKey);
  const messengers = createMessengers(config, db.models, opts.messengers);
  const bot = createBotService(config, db.models, opts.bot);
  return {
    config,
    db,
    log,
    crypto,
    org: createOrgService(db.models, opts.bot?.now),
    channels: createChannelService(db.models, crypto),
    audit: createAuditService(db.models),
    events: createEventService(db.models),
    bot,
    messengers,
    callbacks: createCallbackService({ config, db, log, messengers, bot }, opts.callbacks),
  };
}

export function createApp(deps: Deps) {
  const { config, db, log } = deps;
  const codec = createSessionCodec(config.session.secret);
  const customers = createCustomerService(deps);
  const ownership = createOwnershipService(deps, customers);
  const followUps = createFollowUpService(deps, customers);
  const intake = createIntakeService(deps, customers);
  const applications = createApplicationModule(deps, customers);
  const loans = createLoanService(deps, customers);
  const botDispatcher = createDispatcher(deps); // the robot test button sends at once through it
  const callbackReceiver = createCallbackReceiver(deps);
  registerChatCommands(deps, customers);

  const routes = [
    ...authRoutes(deps, codec),
    ...ssoRoutes(deps, codec, createSsoService(deps)),
    ...jssdkRoutes(createJssdkService(deps)),
    ...customerRoutes(customers, ownership),
    ...followUpRoutes(followUps),
    ...orgRoutes(deps.org, ownership),
    ...leaveRoutes(createLeaveService(deps)),
    ...channelRoutes(deps.channels),
    ...intakeRoutes(intake),
    ...auditRoutes(deps.audit),
    ...applications.routes,
    ...riskRoutes(createRiskService(deps)),
    ...botRoutes(createBotAdminService(deps), createTeamRobotService(deps), async (ids) => void (await botDispatcher.runOnce({ ids }))),
    ...orgSyncRoutes(createOrgSyncService(deps)),
    ...assignmentRoutes(createAssignmentService(deps)),
    ...ladderRoutes(createLadderService(deps, customers, ownership)),
    ...taskRoutes(createTaskService(deps, customers)),
    ...jobsRoutes(createJobsService(deps)),
    ...productRoutes(createProductService(deps, customers)),
    ...contractRoutes(createContractService(deps, customers, createDiskStorage(config.applications.filesDir))),
    ...smsRoutes(createSmsService(deps), customers, db),
    ...collectionRoutes(createCollectionService(deps, customers)),
    ...commissionRoutes(createCommissionService(deps)),
    ...reportBuilderRoutes(createReportBuilderService(deps)),
    ...reportRoutes(createMetricsService(deps), createChannelCostService(deps)),
    ...summaryRoutes(deps),
    ...loanRoutes(loans, createLoanImportService(deps, loans)),
    ...wecomCallbackRoutes(callbackReceiver),
    ...dingtalkCallbackRoutes(callbackReceiver),
  ];
  const openapi = buildOpenApi(API_PREFIX, routes, { title: '信贷CRM API', version: config.version });
  routes.push(route({ method: 'get', path: '/openapi.json', tag: 'meta', auth: 'public', summary: 'OpenAPI 文档', handler: () => openapi }));
  const api = buildRouter(API_PREFIX, routes);

  const app = new Koa({ proxy: config.trustProxy });
  app.use(errorHandler(log));
  app.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'same-origin');
    await next();
  });
  app.use(async (ctx, next) => {
    if (ctx.path !== '/api/health') return next();
    await db.sequelize.query('SELECT 1');
    ctx.body = { status: 'ok', db: db.dialect, version: config.version };
  });
  app.use(bodyParser({ enableTypes: ['json'], jsonLimit: '2mb', encoding: 'utf-8' }));
  app.use(sessionMiddleware(deps.org, codec));
  app.use(api.routes());
  app.use(api.allowedMethods());
  app.use(async (ctx, next) => {
    if (ctx.path.startsWith('/api/')) throw new AppError(404, 'ROUTE_NOT_FOUND');
    await next();
  });
  app.use(h5Static(H5_DIST));
  return app;
}
