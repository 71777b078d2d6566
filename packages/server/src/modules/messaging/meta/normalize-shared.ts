// Helpers shared by the per-channel normalisers (whatsapp/, instagram/).
import type { z } from 'zod';
import type { InboundEvent, Routing } from './inbound-event';

export function parseOr<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}

/** Unix seconds or milliseconds (number or digit string) to ISO; 1e11 splits the two safely. */
export function toIso(value: string | number): string | undefined {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n < 0) return undefined;
  const date = new Date(n < 1e11 ? n * 1000 : n);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function ignored(reason: string, routing?: Routing): InboundEvent {
  return routing ? { kind: 'ignored', routing, reason } : { kind: 'ignored', reason };
}

/** Drops undefined keys so events compare cleanly and serialise without noise. */
export function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function compactOrUndefined<T extends Record<string, unknown>>(value: T): T | undefined {
  const result = compact(value);
  return Object.keys(result).length > 0 ? result : undefined;
}
