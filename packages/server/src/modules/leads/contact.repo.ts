import { sha256Hex } from '../../engine/ids';
import type { Db } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';
import { UpdateExpression } from '../../engine/data/update-expression';
import { CustomerSearchIndex } from '../contacts/customer-search.repo';

// Contacts are the tenant's customers (customer.repo.ts): one record per person across channels
// and lead sources. A phone number IS an identity: its customer id is `wa-<digits>`, the id the
// message processor gives the WhatsApp sender with that number, so a lead and a chat meet on one
// record whichever comes first. E-mail addresses point to a customer through a claimed key.

export type ContactProfile = { name?: string; email?: string; phone?: string; company?: string };

export class ContactRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  private emailKey(email: string) {
    return keys.contactKey(this.tenantId, 'email', sha256Hex(email));
  }

  async emailOwner(email: string): Promise<string | undefined> {
    const item = await this.db.get(this.emailKey(email));
    return item?.customerId;
  }

  /** Claims the address for a customer; returns the owner afterwards (ours, or the first claimer's). */
  async claimEmail(email: string, customerId: string): Promise<string> {
    const claimed = await this.db.put(
      { ...this.emailKey(email), entity: 'ContactKey', customerId },
      { ifNotExists: true },
    );
    if (claimed) return customerId;
    return (await this.emailOwner(email)) ?? customerId;
  }

  /** Moves the address from an e-mail-only contact to the phone contact it turned out to be. */
  async repointEmail(email: string, from: string, to: string): Promise<boolean> {
    return this.db.put(
      { ...this.emailKey(email), entity: 'ContactKey', customerId: to },
      { condition: 'customerId = :from', values: { ':from': from } },
    );
  }

  /**
   * Creates or completes the customer from a lead. Never overwrites what a channel or an earlier
   * lead set (if_not_exists), never writes `identities` (the first WhatsApp message sets those),
   * and records the lead in the customer's `leadIds` set: one timeline across chats and leads.
   */
  async upsertFromLead(
    customerId: string,
    profile: ContactProfile,
    leadId: string,
    at: string,
  ): Promise<void> {
    const u = new UpdateExpression()
      .setIfNotExists('id', customerId)
      .setIfNotExists('createdAt', at)
      .setIfNotExists('updatedAt', at)
      .set('entity', 'Customer')
      .add('leadIds', new Set([leadId]));
    if (profile.name) u.setIfNotExists('name', profile.name);
    if (profile.email) u.setIfNotExists('email', profile.email);
    if (profile.phone) u.setIfNotExists('phone', profile.phone);
    if (profile.company) u.setIfNotExists('company', profile.company);
    const item = await this.db.update(keys.customer(this.tenantId, customerId), u.parts(), {
      names: u.names,
      values: u.values,
    });
    // The customer search finds a contact from a form by its name, e-mail and phone too.
    if (item) await new CustomerSearchIndex(this.db, this.tenantId).sync(item);
  }

  /** The leads a customer has had (newest ids last). */
  async leadIdsOf(customerId: string): Promise<string[]> {
    const item = await this.db.get(keys.customer(this.tenantId, customerId));
    return item?.leadIds ? [...(item.leadIds as Set<string>)].sort() : [];
  }

  async markMerged(customerId: string, into: string, at: string): Promise<void> {
    const item = await this.db.update(
      keys.customer(this.tenantId, customerId),
      { set: 'mergedInto = :into, mergedAt = if_not_exists(mergedAt, :at)' },
      { condition: 'attribute_exists(PK)', values: { ':into': into, ':at': at } },
    );
    if (item) await new CustomerSearchIndex(this.db, this.tenantId).sync(item);
  }

  /** The lead new submissions of this customer join while it is open. */
  async openLead(customerId: string): Promise<string | undefined> {
    const item = await this.db.get(keys.openLead(this.tenantId, customerId));
    return item?.leadId;
  }

  /** Points the customer at `leadId`, if the pointer is absent or still at `replacing`. */
  async claimOpenLead(customerId: string, leadId: string, replacing?: string): Promise<boolean> {
    return this.db.put(
      { ...keys.openLead(this.tenantId, customerId), entity: 'OpenLead', leadId },
      replacing
        ? {
            condition: 'leadId = :old OR leadId = :new',
            values: { ':old': replacing, ':new': leadId },
          }
        : { condition: 'attribute_not_exists(PK) OR leadId = :new', values: { ':new': leadId } },
    );
  }
}
