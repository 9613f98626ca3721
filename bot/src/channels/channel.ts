// What every delivery channel implements, and the outbox row as the dispatcher hands it over.
// A channel renders the channel-neutral BotPayload into its messenger's format and makes one API
// call for a group of rows (same payload, different recipients where the API takes several);
// it reports an outcome per row or throws a MessengerError that applies to the whole call.
import type { BotChannel, BotPayload } from '../../../server/src/contracts/bot';
import type { MessengerError } from '../../../server/src/modules/messenger/messenger-error';

export interface OutboxRow {
  id: number;
  idemKey: string;
  channel: BotChannel;
  kind: string;
  recipient: string;
  recipientUserId: number | null;
  departmentId: number | null;
  payload: BotPayload;
  /** The payload as stored: rows with the same text can share one call. */
  payloadKey: string;
  attempts: number;
}

export type RowOutcome =
  | { outcome: 'sent'; externalId?: string | null; responseCode?: string | null; note?: { code: string; message: string } }
  | { outcome: 'failed'; error: MessengerError };

export interface ChannelSender {
  readonly channel: BotChannel;
  /** Most recipients one call may carry; 1 means one message per call. */
  readonly maxRecipients: number;
  /** Group robots: whether these messages, merged into one, fit one message to the chat. */
  fitsMerged?(payloads: BotPayload[]): boolean;
  /** Every row may go in one call whatever its recipient (the console). */
  readonly groupAll?: boolean;
  /** Rows with buttons carry a per-message id (task_id / outTrackId) and are never batched. */
  batchable(row: OutboxRow): boolean;
  /** Sends `rows` in one call; `merged` joins their payloads into one message to one chat. */
  send(rows: OutboxRow[], opts?: { merged?: boolean }): Promise<Map<number, RowOutcome>>;
}
