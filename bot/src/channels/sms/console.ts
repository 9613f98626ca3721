// The console SMS provider (default): nothing leaves the machine; the text goes to the log and the
// sms_messages row, so a trial install shows exactly what would have been sent.
import type { Logger } from 'pino';
import type { SmsProvider } from './provider';

export function createConsoleSms(log: Logger): SmsProvider {
  return {
    name: 'console',
    async send(req) {
      log.info({ phoneLast4: req.phone.slice(-4), outId: req.outId, text: req.text }, 'sms (console provider)');
      return { kind: 'sent', messageId: `console-${req.outId}`, code: 'OK', message: '控制台模式,未实际发送' };
    },
  };
}
