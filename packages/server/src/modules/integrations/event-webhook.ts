import type { TokenCipher } from '../../engine/security/token-cipher';
import { safeRequest, UnsafeDestinationError, type SafeHttpOptions } from '../leads/safe-http';
import { webhookHeaders } from '../leads/standard-webhooks';
import type { EventDestinationRecord } from './event-destination.repo';

// One signed POST of an event to an integrator's endpoint (Standard Webhooks, as the CRM
// webhooks: standard-webhooks.ts), through the SSRF guard (safe-http.ts: public addresses only,
// checked on the address connected to, no redirects).

export type PostOutcome =
  | { ok: true; status: number }
  | { ok: false; status?: number; error: string; retryAfterSeconds?: number };

export function secretContext(tenantId: string, destinationId: string): Record<string, string> {
  return { tenantId, eventDestinationId: destinationId };
}

function retryAfterOf(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

export async function postSignedEvent(
  tenantId: string,
  dest: EventDestinationRecord,
  event: { id: string; type: string; timestamp: string; data: unknown },
  deps: { cipher: TokenCipher; http: SafeHttpOptions; now: Date },
): Promise<PostOutcome> {
  const secret = await deps.cipher.decrypt(dest.encryptedSecret, secretContext(tenantId, dest.id));
  const body = JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });
  let host = 'the endpoint';
  try {
    host = new URL(dest.url).host;
    const result = await safeRequest(
      dest.url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Switchboard-Webhooks/1.0',
          ...webhookHeaders(secret, event.id, body, deps.now),
        },
        body,
      },
      deps.http,
    );
    if (result.status >= 200 && result.status < 300) return { ok: true, status: result.status };
    return {
      ok: false,
      status: result.status,
      error: `HTTP ${result.status} from ${host}`,
      retryAfterSeconds:
        result.status === 429 || result.status === 503
          ? retryAfterOf(result.headers['retry-after'])
          : undefined,
    };
  } catch (err) {
    const message = err instanceof UnsafeDestinationError ? err.message : (err as Error).message;
    return { ok: false, error: `${host}: ${String(message).slice(0, 300)}` };
  }
}
