// Builds the applications and approvals services and their routes from the shared deps, so the
// app registers them in one line and other modules (the chat callback handlers) reach
// `applications.decide` through the same instance.
import type { Deps } from '../../deps';
import type { CustomerService } from '../customers/customer.service';
import { createFlowService } from '../approvals/flow.service';
import { createApprovalInbox } from '../approvals/approval-inbox.service';
import { createApprovalNotifier, type ApprovalNotifier } from '../approvals/approval.notifier';
import { approvalRoutes } from '../approvals/approval.routes';
import { registerApprovalChat } from '../approvals/approval.chat';
import { createApplicationService } from './application.service';
import { createDocumentService } from './documents.service';
import { createDiskStorage, type DocumentStorage } from './documents.storage';
import { applicationRoutes } from './application.routes';

export function createApplicationModule(deps: Deps, customers: CustomerService, opts: { notifier?: ApprovalNotifier; storage?: DocumentStorage } = {}) {
  const flows = createFlowService(deps);
  const notifier = opts.notifier ?? createApprovalNotifier(deps.bot);
  const applications = createApplicationService(deps, customers, flows, notifier);
  const documents = createDocumentService(deps, applications, opts.storage ?? createDiskStorage(deps.config.applications.filesDir));
  const inbox = createApprovalInbox(deps);
  // Card buttons 同意 / 驳回 tapped in WeCom / DingTalk (approval.chat.ts).
  registerApprovalChat(deps, applications);
  return {
    flows,
    applications,
    documents,
    inbox,
    routes: [...applicationRoutes(applications, documents), ...approvalRoutes(inbox, applications, flows)],
  };
}
export type ApplicationModule = ReturnType<typeof createApplicationModule>;
