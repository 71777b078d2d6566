import type {
  CampaignAudience,
  CampaignEstimate,
  CampaignParameter,
  CampaignTemplate,
} from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';
import type { TenantData } from '../../engine/data/tenant-data';
import { ConsentRepo } from '../consent/consent.repo';
import { conversationIdOf } from '../messaging/conversation.repo';
import { conversationOwnerOf, toCustomer, type Customer } from '../messaging/customer.repo';
import type { Recipient } from './campaign.repo';

// Who a campaign reaches: contacts matching the audience's filters (tags, lead stages, forms:
// any of each list, all lists together) that have a WhatsApp number, and whose number opted in.
// The same code counts an estimate and draws up the recipients, one page of customers at a time.

export const AUDIENCE_PAGE = 100;

/** The customer's WhatsApp number in E.164, or undefined. */
export function whatsappE164Of(customer: Customer): string | undefined {
  const wa = customer.identities.whatsapp;
  if (wa && /^\d{6,20}$/.test(wa)) return `+${wa}`;
  if (customer.phone && /^\+\d{6,20}$/.test(customer.phone)) return customer.phone;
  return undefined;
}

async function matching(
  data: TenantData,
  audience: CampaignAudience,
  customers: Customer[],
): Promise<Customer[]> {
  const tags = audience.tags?.length ? new Set(audience.tags) : undefined;
  let out = tags ? customers.filter((c) => (c.tags ?? []).some((t) => tags.has(t))) : customers;
  const stages = audience.leadStages?.length ? new Set(audience.leadStages) : undefined;
  const forms = audience.formIds?.length ? new Set(audience.formIds) : undefined;
  if (!stages && !forms) return out;
  const leadIds = out.flatMap((c) => c.leadIds ?? []);
  const leads = leadIds.length > 0 ? await data.leads.getMany(leadIds) : [];
  const byId = new Map(leads.filter((l) => !l.deletedAt).map((l) => [l.id, l]));
  out = out.filter((c) => {
    const own = (c.leadIds ?? []).flatMap((id) => byId.get(id) ?? []);
    return (
      (!stages || own.some((l) => stages.has(l.stage))) &&
      (!forms || own.some((l) => l.formId !== undefined && forms.has(l.formId)))
    );
  });
  return out;
}

function fieldOf(customer: Customer, field: string): string | undefined {
  switch (field) {
    case 'contact.name':
      return customer.name?.trim() || undefined;
    case 'contact.first_name':
      return customer.name?.trim().split(/\s+/)[0] || undefined;
    case 'contact.phone':
      return whatsappE164Of(customer);
    case 'contact.email':
      return customer.email;
    case 'contact.company':
      return customer.company;
    default: {
      const key = field.slice('contact.attributes.'.length);
      const value = customer.attributes?.[key];
      return value === undefined || value === '' ? undefined : String(value);
    }
  }
}

function valueOf(customer: Customer, p: CampaignParameter): string | undefined {
  if ('text' in p) return p.text;
  return fieldOf(customer, p.field) ?? p.fallback;
}

/** The body parameters for one contact; undefined when one has neither a value nor a fallback. */
export function parametersFor(
  customer: Customer,
  template: CampaignTemplate,
): string[] | Record<string, string> | undefined | null {
  const params = template.parameters;
  if (!params) return undefined;
  if (Array.isArray(params)) {
    const values = params.map((p) => valueOf(customer, p));
    return values.every((v) => v !== undefined) ? (values as string[]) : null;
  }
  const out: Record<string, string> = {};
  for (const [name, p] of Object.entries(params)) {
    const v = valueOf(customer, p);
    if (v === undefined) return null;
    out[name] = v;
  }
  return out;
}

export type AudiencePage = {
  /** Opted in, with their parameters; `parameters: null` when a value is missing. */
  eligible: { customer: Customer; phone: string }[];
  excluded: CampaignEstimate['excluded'];
  /** The last customer id read; undefined at the end. */
  next?: string;
};

/** One page of the workspace's customers (merged pointers aside), judged against the audience. */
export async function audiencePage(
  data: TenantData,
  db: Db,
  audience: CampaignAudience,
  after: string | undefined,
): Promise<AudiencePage> {
  const page = await db.query({
    pk: keys.tenant(data.tenantId).PK,
    sk: { beginsWith: 'CUSTOMER#' },
    limit: AUDIENCE_PAGE,
    startKey: after ? keys.customer(data.tenantId, after) : undefined,
    filter: { expression: 'attribute_not_exists(mergedInto)' },
    consistent: true,
  });
  const customers = page.items.map(toCustomer);
  const matched = await matching(data, audience, customers);
  const excluded = { optedOut: 0, noConsent: 0, noPhone: 0 };
  const withPhone: { customer: Customer; phone: string }[] = [];
  for (const customer of matched) {
    const phone = whatsappE164Of(customer);
    if (phone) withPhone.push({ customer, phone });
    else excluded.noPhone++;
  }
  const consent = await new ConsentRepo(db, data.tenantId).getMany([
    ...new Set(withPhone.map((w) => w.phone)),
  ]);
  const eligible: AudiencePage['eligible'] = [];
  for (const w of withPhone) {
    const status = consent.get(w.phone)?.status ?? 'unknown';
    if (status === 'opted_in') eligible.push(w);
    else if (status === 'opted_out') excluded.optedOut++;
    else excluded.noConsent++;
  }
  const lastSk = page.lastKey?.SK as string | undefined;
  return {
    eligible,
    excluded,
    next: lastSk ? lastSk.slice('CUSTOMER#'.length) : undefined,
  };
}

/** A recipient item for an eligible contact (before it is written). */
export function recipientOf(
  campaignId: string,
  channelId: string,
  customer: Customer,
  phone: string,
  parameters: string[] | Record<string, string> | undefined,
  at: string,
): Omit<Recipient, 'attempts' | 'status'> {
  return {
    campaignId,
    contactId: customer.id,
    phone,
    ...(parameters ? { parameters } : {}),
    conversationId: conversationIdOf(channelId, conversationOwnerOf(customer, 'whatsapp')),
    updatedAt: at,
  };
}
