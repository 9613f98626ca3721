import type { z } from 'zod';
import { ValidationError } from './errors';

/** Parses input with a command schema; the parsed value (unknown keys dropped) replaces the raw one. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  throw new ValidationError(
    r.error.issues.map((i) => ({ field: i.path.join('.') || '_', message: i.message })),
  );
}
