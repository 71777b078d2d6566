import type { Consent, ConsentChange, SetConsentRequest } from '@switchboard/contracts';
import { AppError, NotFoundError } from '../../engine/errors';
import type { Db } from '../../engine/data/dynamo';
import type { TenantData } from '../../engine/data/tenant-data';
import { randomId } from '../../engine/ids';
import type { Customer } from '../messaging/customer.repo';
import { ConsentRepo } from './consent.repo';

// A contact's consent, as its page shows it and an agent sets it. Consent belongs to a number, so
// a contact shows each of its numbers: the phone an agent or a form gave, and the WhatsApp number
// it writes from (usually the same).

export type NumberConsent = Consent & { history: ConsentChange[] };

/** The contact's numbers in E.164, its own phone first. */
export function numbersOf(customer: Customer): string[] {
  const out = new Set<string>();
  if (customer.phone?.startsWith('+')) out.add(customer.phone);
  const wa = customer.identities.whatsapp;
  if (wa && /^\d{6,15}$/.test(wa)) out.add(`+${wa}`);
  return [...out];
}

async function customerOf(data: TenantData, customerId: string): Promise<Customer> {
  const customer = await data.customers.get(customerId);
  if (!customer) throw new NotFoundError('Customer');
  return customer;
}

async function withHistory(repo: ConsentRepo, address: string): Promise<NumberConsent> {
  const [consent, history] = await Promise.all([repo.get(address), repo.history(address)]);
  return { ...consent, history };
}

export async function customerConsent(
  db: Db,
  data: TenantData,
  customerId: string,
): Promise<NumberConsent[]> {
  const customer = await customerOf(data, customerId);
  const repo = new ConsentRepo(db, data.tenantId);
  return Promise.all(numbersOf(customer).map((n) => withHistory(repo, n)));
}

/** A member's entry, for the contact's first number. The member is the evidence's author. */
export async function setConsentManually(
  db: Db,
  data: TenantData,
  customerId: string,
  request: SetConsentRequest,
  userId: string,
  now: Date,
): Promise<{ consent: NumberConsent; change: ConsentChange }> {
  const customer = await customerOf(data, customerId);
  const address = numbersOf(customer)[0];
  if (!address) {
    throw new AppError('conflict', 'This contact has no phone number: add one first.', {
      reason: 'no_phone',
    });
  }
  const change: ConsentChange = {
    id: randomId('cns'),
    status: request.status,
    at: now.toISOString(),
    evidence: { source: 'manual', userId, note: request.note },
  };
  const repo = new ConsentRepo(db, data.tenantId);
  await repo.record(address, change, request.channel);
  return { consent: await withHistory(repo, address), change };
}
