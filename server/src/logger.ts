import pino, { type Logger } from 'pino';

/** One logger; secrets and personal data are redacted wherever they appear in a log object. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['req.headers.cookie', 'req.headers["x-signature"]', '*.phone', '*.idNumber', '*.secret', '*.password', 'headers.cookie'],
      censor: '[redacted]',
    },
  });
}
