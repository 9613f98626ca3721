// What every SMS provider implements, and how its answers are classified. A provider makes one
// documented API call per message and maps the provider's code to one of five outcomes the sender
// acts on: sent (keep the provider's message id), throttled (try again later; `until` says when:
// after a per-minute/hour window, or tomorrow for a per-number daily cap), invalid_number (mark the
// customer's number, never retry it), transient (network, 5xx, balance: back off and retry), and
// permanent (credentials, signature, template: fail and show the admin why).
import type { SmsTemplateConfig } from '../../../../config';

export interface SmsSendRequest {
  /** Mainland mobile, 11 digits, no prefix. */
  phone: string;
  template: SmsTemplateConfig | null;
  /** Our variables (name, dueDate, amount, …), already formatted as text. */
  vars: Record<string, string>;
  /** The rendered Chinese text (the console provider logs it; providers render their own template). */
  text: string;
  /** Our id for the message, echoed by the provider in receipts (Aliyun OutId, Tencent SessionContext). */
  outId: string;
}

export type SmsOutcome =
  | { kind: 'sent'; messageId: string | null; code: string; message: string }
  | { kind: 'throttled'; code: string; message: string; until: 'minute' | 'hour' | 'tomorrow' }
  | { kind: 'invalid_number'; code: string; message: string }
  | { kind: 'transient'; code: string; message: string }
  | { kind: 'permanent'; code: string; message: string };

export interface SmsReceiptQuery {
  messageId: string;
  phone: string;
  sentAt: Date;
}

export interface SmsReceipt {
  messageId: string;
  /** waiting: no receipt yet. */
  state: 'delivered' | 'failed' | 'waiting';
  code: string;
  at: Date | null;
}

export interface SmsProvider {
  readonly name: 'console' | 'aliyun' | 'tencent';
  send(req: SmsSendRequest): Promise<SmsOutcome>;
  /**
   * Delivery receipts: Aliyun answers per message (QuerySendDetails); Tencent hands out the reports
   * not pulled yet (PullSmsSendStatus), whichever messages they belong to.
   */
  queryReceipts?(items: SmsReceiptQuery[]): Promise<SmsReceipt[]>;
}

/** The template's parameters as the provider wants them: key → value, in the configured order. */
export function templateParams(req: SmsSendRequest): { key: string; value: string }[] {
  return (req.template?.params ?? []).map((p) => ({ key: p.key, value: req.vars[p.variable] ?? '' }));
}

export function networkOutcome(err: unknown): SmsOutcome {
  const e = err as { code?: string; message?: string };
  return { kind: 'transient', code: e.code ?? 'NETWORK_ERROR', message: String(e.message ?? err).slice(0, 300) };
}
