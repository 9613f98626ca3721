// Looks up a team robot's decrypted credentials for a `robot:<id>` recipient. A robot that was
// deleted, or belongs to the other messenger, fails the message permanently.
import type { Deps } from '../../../server/src/deps';
import { MessengerError } from '../../../server/src/modules/messenger/messenger-error';

export type RobotCredentials = (recipient: string, provider: 'wecom' | 'dingtalk') => Promise<{ id: number; name: string; token: string; secret: string | null }>;

export function robotCredentials(deps: Pick<Deps, 'db' | 'crypto'>): RobotCredentials {
  return async (recipient, provider) => {
    const id = Number(/^robot:(\d+)$/.exec(recipient)?.[1]);
    const r = id ? await deps.db.models.TeamRobot.findByPk(id, { raw: true }) : null;
    if (!r || r.provider !== provider) throw new MessengerError(provider, 'ROBOT_GONE', 'permanent', '群机器人已删除', { api: 'team_robots' });
    return { id: r.id, name: r.name, token: deps.crypto.decrypt(r.tokenEnc), secret: r.secretEnc ? deps.crypto.decrypt(r.secretEnc) : null };
  };
}
