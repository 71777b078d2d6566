import type { CreateContactRequest, UpdateContactRequest } from '@switchboard/contracts';
import type { TenantData } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import { randomId, sha256Hex } from '../../engine/ids';
import { normaliseEmail, toE164, whatsappCustomerIdOf } from '../leads/phone';
import type { ContactChanges, Customer } from '../messaging/customer.repo';

// Contacts an agent creates and edits. A contact is a customer record (messaging/customer.repo.ts):
// one per person across channels and lead sources. Its id is a natural key where it has one, so
// an agent, a form and a WhatsApp chat meet on one record whichever comes first:
//   - a phone number: `wa-<E.164 digits>`, the id the WhatsApp sender of that number gets;
//   - else an e-mail: the contact the address belongs to (CONTACTKEY#email), else `em-<hash>`,
//     the id the leads flow gives an e-mail-only contact;
//   - else the client's `clientKey` (`ct-<hash>`), else a new `ct-` id.
// Creating the same contact again answers it (fields it lacked filled in): idempotent.

/** Reads phone input in the workspace's default country (a form field error when impossible). */
export async function phoneReader(
  data: TenantData,
): Promise<(input: string) => string | undefined> {
  const { defaultCountry } = await data.branding.get();
  return (input) => {
    const result = toE164(input, defaultCountry);
    return result.ok ? result.e164 : undefined;
  };
}

function fieldError(field: string, message: string): AppError {
  return new AppError('validation_failed', message, { fields: { [field]: message } });
}

function conflictOn(field: 'phone' | 'email', otherId: string): AppError {
  return new AppError(
    'contact_conflict',
    `Another contact (${otherId}) already has that ${field === 'phone' ? 'phone number' : 'e-mail'}.`,
    { param: field, contactId: otherId },
  );
}

const readPhone = (read: (input: string) => string | undefined, input: string): string => {
  const e164 = read(input);
  if (!e164) throw fieldError('phone', 'That is not a phone number we can reach.');
  return e164;
};

/** Another live contact that owns `id` (the phone's natural id), or undefined. */
async function otherOwner(data: TenantData, id: string, self: string): Promise<string | undefined> {
  if (id === self) return undefined;
  const other = await data.customers.get(id);
  if (!other || other.mergedInto === self) return undefined;
  return other.mergedInto ?? other.id;
}

/**
 * Makes `id` the owner of the address: free, already ours, or held by a contact merged into this
 * one (moved here). Another live contact's address is a 409.
 */
async function claimEmailFor(data: TenantData, email: string, id: string): Promise<void> {
  const owner = await data.contacts.claimEmail(email, id);
  if (owner === id) return;
  const other = await data.customers.get(owner);
  if (other && other.mergedInto !== id) throw conflictOn('email', other.mergedInto ?? other.id);
  await data.contacts.repointEmail(email, owner, id);
}

export async function createContact(
  data: TenantData,
  input: CreateContactRequest,
  at: string,
): Promise<{ created: boolean; customer: Customer }> {
  const phone = input.phone ? readPhone(await phoneReader(data), input.phone) : undefined;
  const email = input.email ? normaliseEmail(input.email) : undefined;
  const emailOwner = email ? await data.contacts.emailOwner(email) : undefined;
  let id: string;
  if (phone) id = whatsappCustomerIdOf(phone);
  else if (emailOwner) id = emailOwner;
  else if (email) id = `em-${sha256Hex(email).slice(0, 24)}`;
  else if (input.clientKey) id = `ct-${sha256Hex(input.clientKey).slice(0, 24)}`;
  else id = `ct-${randomId('c').slice(2)}`;

  const existing = await data.customers.get(id);
  if (existing?.mergedInto) {
    // The person lives on another record now: that one is the contact.
    const target = await data.customers.get(existing.mergedInto);
    if (target) return { created: false, customer: target };
  }
  // The address first: a contact is never stored with an e-mail another contact holds.
  if (email) await claimEmailFor(data, email, id);
  return data.customers.createContact(
    id,
    {
      name: input.name,
      email,
      phone,
      company: input.company,
      attributes: input.attributes,
      tags: input.tags,
    },
    at,
  );
}

export async function updateContact(
  data: TenantData,
  id: string,
  input: UpdateContactRequest,
  at: string,
): Promise<Customer> {
  const current = await data.customers.get(id);
  if (!current) throw new NotFoundError('Customer');
  if (current.mergedInto) {
    throw new AppError('contact_merged', 'This contact was merged into another.', {
      contactId: current.mergedInto,
    });
  }
  const changes: ContactChanges = {
    name: input.name,
    company: input.company,
    attributes: input.attributes,
    tags: input.tags,
  };
  if (input.phone !== undefined) {
    changes.phone = input.phone === null ? null : readPhone(await phoneReader(data), input.phone);
    if (changes.phone) {
      const other = await otherOwner(data, whatsappCustomerIdOf(changes.phone), id);
      if (other) throw conflictOn('phone', other);
    }
  }
  if (input.email !== undefined) {
    changes.email = input.email === null ? null : normaliseEmail(input.email);
    if (changes.email && changes.email !== current.email) {
      await claimEmailFor(data, changes.email, id);
    }
  }
  const updated = await data.customers.updateContact(id, changes, at);
  if (!updated) throw new AppError('conflict', 'The contact changed meanwhile (it was merged).');
  return updated;
}
