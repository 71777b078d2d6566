import type { Attribution } from '@switchboard/contracts';
import type { CrmDestinationRecord } from './crm-destination.repo';
import type { Lead } from './lead.repo';
import type { TokenCipher } from '../../engine/security/token-cipher';
import {
  safeRequest,
  UnsafeDestinationError,
  type HttpResult,
  type SafeHttpOptions,
} from './safe-http';
import { webhookHeaders } from './standard-webhooks';

// Pushing a lead to a tenant's CRM: a generic webhook signed per Standard Webhooks, or HubSpot's
// contacts API (create-or-update by e-mail). Credentials are stored encrypted and decrypted here,
// bound to the tenant and destination by the cipher's context.

export type CrmSettings = SafeHttpOptions & {
  /** HubSpot's API root; tests point it at a local stand-in. */
  hubspotBaseUrl: string;
};

export const defaultHubspotBaseUrl = 'https://api.hubapi.com';

export type DeliveryOutcome =
  | { ok: true; status?: number; skipped?: string }
  | { ok: false; error: string; status?: number; retryAfterSeconds?: number };

export type DeliveryMessage = {
  /** The webhook-id: the same for every retry and replay of one (destination, lead, job). */
  id: string;
  type: 'lead.upserted' | 'lead.updated' | 'lead.resynced';
  lead: Lead;
  /** Where the lead came from (modules/attribution), null when nothing is known. */
  attribution?: Attribution | null;
};

export function secretContext(tenantId: string, destinationId: string): Record<string, string> {
  return { tenantId, crmDestinationId: destinationId };
}

/** What a CRM receives about a lead: no internal keys, no sync bookkeeping. */
export function leadPayload(lead: Lead, attribution: Attribution | null = null) {
  return {
    id: lead.id,
    contactId: lead.customerId,
    name: lead.name ?? null,
    email: lead.email ?? null,
    phone: lead.phone ?? null,
    company: lead.company ?? null,
    stage: lead.stage,
    ownerId: lead.ownerId ?? null,
    tags: lead.tags,
    fields: lead.custom,
    utm: lead.utm ?? {},
    formId: lead.formId ?? null,
    source: lead.source,
    consents: lead.consents ?? [],
    attribution,
    createdAt: lead.createdAt,
    updatedAt: lead.updatedAt,
  };
}

function retryAfterOf(result: HttpResult): number | undefined {
  const header = result.headers['retry-after'];
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function describeFailure(where: string, err: unknown): DeliveryOutcome {
  const message = err instanceof UnsafeDestinationError ? err.message : (err as Error).message;
  return { ok: false, error: `${where}: ${String(message).slice(0, 300)}` };
}

async function deliverWebhook(
  dest: CrmDestinationRecord,
  secret: string,
  message: DeliveryMessage | { id: string; type: 'switchboard.test'; data: unknown },
  settings: CrmSettings,
  now: Date,
): Promise<DeliveryOutcome> {
  if (!dest.url) return { ok: false, error: 'The destination has no URL.' };
  const body = JSON.stringify({
    type: message.type,
    timestamp: now.toISOString(),
    data:
      'lead' in message
        ? { lead: leadPayload(message.lead, message.attribution ?? null) }
        : message.data,
  });
  const host = new URL(dest.url).host;
  try {
    const result = await safeRequest(
      dest.url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...webhookHeaders(secret, message.id, body, now),
        },
        body,
      },
      settings,
    );
    if (result.status >= 200 && result.status < 300) return { ok: true, status: result.status };
    return {
      ok: false,
      status: result.status,
      error: `HTTP ${result.status} from ${host}`,
      retryAfterSeconds:
        result.status === 429 || result.status === 503 ? retryAfterOf(result) : undefined,
    };
  } catch (err) {
    return describeFailure(host, err);
  }
}

function hubspotError(result: HttpResult): string {
  try {
    const body = JSON.parse(result.body) as {
      message?: unknown;
      category?: unknown;
      errorType?: unknown;
    };
    const category =
      typeof body.category === 'string'
        ? body.category
        : typeof body.errorType === 'string'
          ? body.errorType
          : '';
    const text = typeof body.message === 'string' ? body.message.slice(0, 200) : '';
    return `HubSpot ${result.status}${category ? ` ${category}` : ''}${text ? `: ${text}` : ''}`;
  } catch {
    return `HubSpot ${result.status}`;
  }
}

function splitName(name: string | undefined): { firstname?: string; lastname?: string } {
  if (!name) return {};
  const [first, ...rest] = name.trim().split(/\s+/);
  return rest.length > 0 ? { firstname: first, lastname: rest.join(' ') } : { firstname: first };
}

async function deliverHubspot(
  token: string,
  lead: Lead,
  settings: CrmSettings,
): Promise<DeliveryOutcome> {
  // HubSpot dedupes contacts by e-mail; without one an upsert would create duplicates on retry.
  if (!lead.email)
    return { ok: true, skipped: 'HubSpot contacts are matched by e-mail; this lead has none.' };
  const properties: Record<string, string> = { email: lead.email, ...splitName(lead.name) };
  if (lead.phone) properties.phone = lead.phone;
  if (lead.company) properties.company = lead.company;
  const body = JSON.stringify({ inputs: [{ idProperty: 'email', id: lead.email, properties }] });
  try {
    const result = await safeRequest(
      `${settings.hubspotBaseUrl.replace(/\/$/, '')}/crm/v3/objects/contacts/batch/upsert`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      },
      settings,
    );
    if (result.status === 200 || result.status === 201) return { ok: true, status: result.status };
    return {
      ok: false,
      status: result.status,
      error: hubspotError(result),
      // HubSpot's limits are per 10 s window; wait at least that long.
      retryAfterSeconds:
        result.status === 429 ? Math.max(10, retryAfterOf(result) ?? 0) : undefined,
    };
  } catch (err) {
    return describeFailure('HubSpot', err);
  }
}

export type ConnectorDeps = { cipher: TokenCipher; crm: CrmSettings; now: () => Date };

export async function deliverLead(
  tenantId: string,
  dest: CrmDestinationRecord,
  message: DeliveryMessage,
  deps: ConnectorDeps,
): Promise<DeliveryOutcome> {
  const secret = await deps.cipher.decrypt(dest.encryptedSecret, secretContext(tenantId, dest.id));
  return dest.type === 'webhook'
    ? deliverWebhook(dest, secret, message, deps.crm, deps.now())
    : deliverHubspot(secret, message.lead, deps.crm);
}

/** `POST /crm-destinations/{id}/test`: a signed `switchboard.test` event, or a HubSpot token check. */
export async function testDestination(
  tenantId: string,
  dest: CrmDestinationRecord,
  testId: string,
  deps: ConnectorDeps,
): Promise<DeliveryOutcome> {
  const secret = await deps.cipher.decrypt(dest.encryptedSecret, secretContext(tenantId, dest.id));
  if (dest.type === 'webhook') {
    return deliverWebhook(
      dest,
      secret,
      {
        id: testId,
        type: 'switchboard.test',
        data: { message: 'Test delivery from Switchboard.' },
      },
      deps.crm,
      deps.now(),
    );
  }
  try {
    const result = await safeRequest(
      `${deps.crm.hubspotBaseUrl.replace(/\/$/, '')}/crm/v3/objects/contacts?limit=1`,
      { method: 'GET', headers: { authorization: `Bearer ${secret}` } },
      deps.crm,
    );
    return result.status === 200
      ? { ok: true, status: 200 }
      : { ok: false, status: result.status, error: hubspotError(result) };
  } catch (err) {
    return describeFailure('HubSpot', err);
  }
}
