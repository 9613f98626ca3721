// 结束 node: the flow is done and the application approved.
import type { EndNode } from '../../../contracts/approval-flow';
import type { NodeHandler } from './types';

export const endNode: NodeHandler<EndNode> = {
  async run() {
    return { type: 'end', trail: [] };
  },
};
