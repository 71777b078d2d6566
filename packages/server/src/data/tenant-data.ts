import type { ApiKeyScope, Role } from '../topology';
import { ChannelRepo } from './channel.repo';
import { ConversationRepo } from './conversation.repo';
import { CustomerRepo } from './customer.repo';
import type { Db } from './dynamo';
import { MessageRepo } from './message.repo';

/**
 * Who is acting for which tenant, built in exactly two places: the auth middleware (from a verified
 * JWT or API key) and the message processor (from a routing key the tenant registered).
 */
export type TenantContext = {
  readonly tenantId: string;
  readonly actor:
    | { kind: 'user'; userId: string; role: Role }
    | { kind: 'apiKey'; keyId: string; scopes: ApiKeyScope[] }
    | { kind: 'system'; reason: 'inbound-webhook' | 'sandbox' | 'test' };
};

export type TenantData = {
  readonly tenantId: string;
  readonly channels: ChannelRepo;
  readonly customers: CustomerRepo;
  readonly messages: MessageRepo;
  readonly conversations: ConversationRepo;
};

/** The tenant-scoped accessor: every tenant read and write goes through repos bound to one tenant id. */
export function tenantData(db: Db, ctx: TenantContext): TenantData {
  const { tenantId } = ctx;
  return {
    tenantId,
    channels: new ChannelRepo(db, tenantId),
    customers: new CustomerRepo(db, tenantId),
    messages: new MessageRepo(db, tenantId),
    conversations: new ConversationRepo(db, tenantId),
  };
}
