// Typed errors carrying their HTTP meaning; rendered once by the error middleware.
import { ERROR_CODES, type ErrorCode } from '../contracts/errors';

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message?: string,
    readonly details?: unknown,
  ) {
    super(message ?? ERROR_CODES[code]);
  }
}

export interface FieldProblem {
  field: string;
  message: string;
}

export class ValidationError extends AppError {
  constructor(problems: FieldProblem[], message?: string) {
    super(422, 'VALIDATION_FAILED', message ?? problems[0]?.message ?? undefined, { fields: problems });
  }
}

export const notFound = (message?: string) => new AppError(404, 'NOT_FOUND', message);
export const forbidden = (message?: string) => new AppError(403, 'FORBIDDEN', message);
export const unauthenticated = () => new AppError(401, 'UNAUTHENTICATED');
export const conflict = (code: ErrorCode, message?: string, details?: unknown) => new AppError(409, code, message, details);
export const unprocessable = (code: ErrorCode, message?: string, details?: unknown) => new AppError(422, code, message, details);
