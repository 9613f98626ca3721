// The shared services every domain module is built from. Built once per app in app.ts.
import type { Logger } from 'pino';
import type { Config } from '../../config';
import type { Db } from './db/connection';
import type { FieldCrypto } from './modules/crypto/field-crypto';
import type { OrgService } from './modules/org/org.service';
import type { ChannelService } from './modules/channels/channel.service';
import type { AuditService } from './modules/audit/audit.service';
import type { EventService } from './modules/events/events.service';
import type { Messengers } from './modules/messenger/messengers';
import type { BotService } from './modules/bot/bot.service';
import type { CallbackService } from './modules/callbacks/callback.service';

export interface Deps {
  config: Config;
  db: Db;
  log: Logger;
  crypto: FieldCrypto;
  org: OrgService;
  channels: ChannelService;
  audit: AuditService;
  events: EventService;
  messengers: Messengers;
  /** The bot's outbox: `bot.notifyUsers(tx, …)` / `bot.notifyTeam(tx, …)` inside the business transaction. */
  bot: BotService;
  /** Received messenger callbacks: handler registry (`callbacks.on(...)`), dedupe, async handling. */
  callbacks: CallbackService;
}
