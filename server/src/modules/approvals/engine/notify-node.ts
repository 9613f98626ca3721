// 抄送 node: copies the application to the people its rule names and moves on at once.
import type { NotifyNode } from '../../../contracts/approval-flow';
import type { NodeHandler } from './types';

export const notifyNode: NodeHandler<NotifyNode> = {
  async run(node, env) {
    const userIds = await env.resolve(node.recipients);
    const at = { nodeId: node.id, nodeName: node.name };
    return { type: 'next', trail: [{ action: 'cc', ...at, data: { userIds } }], cc: { ...at, userIds } };
  },
};
