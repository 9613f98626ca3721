// Callback sweeper: every minute, handles messenger callback events left 'received' — acknowledged
// by an instance that died before handling them, or whose last attempt failed and is due again
// (see CallbackService). Off when no messenger is configured.
import type { BotJob } from './job';

export const callbackSweepJob: BotJob = {
  name: 'callback-sweep',
  schedule: (config) => (config.messengers.wecom || config.messengers.dingtalk ? '* * * * *' : null),
  leaseMs: 5 * 60_000,
  async run(deps) {
    const handled = await deps.callbacks.sweep(500);
    return handled ? `handled ${handled} callback event(s)` : undefined;
  },
};
