// 条件分支 node: tests one field of the application or customer and enters its "then" or "else" branch.
import { CONDITION_FIELDS, CONDITION_OPS, type ConditionNode } from '../../../contracts/approval-flow';
import { evaluateCondition, fieldValue } from './condition';
import type { NodeHandler } from './types';

export const conditionNode: NodeHandler<ConditionNode> = {
  async run(node, env) {
    const matched = evaluateCondition(node.condition, env.facts);
    const { field, op, value } = node.condition;
    return {
      type: 'enter',
      branch: matched ? 'then' : 'else',
      trail: [{
        action: 'branch',
        nodeId: node.id,
        nodeName: node.name,
        data: { matched, field, fieldName: CONDITION_FIELDS[field]?.label ?? field, op, opName: CONDITION_OPS[op], value, actual: fieldValue(env.facts, field) },
      }],
    };
  },
};
