import type { LiveEvent } from '@switchboard/contracts';
import { stableId } from '../../engine/ids';
import type { WorkspaceEvents } from '../../engine/ports/workspace-events';
import { customerRecordView } from '../messaging/conversation-view';
import type { Customer } from '../messaging/customer.repo';

// `contact.updated` and `contact.merged` workspace events. Ids come from the change (the contact
// and its `updatedAt`, or the merged source), so a retried write emits the same id. Events carry
// no signed URL: the avatar is left out (screens read it from the REST API).

const noSigning = async (): Promise<string> => {
  throw new Error('events carry no signed URLs');
};

const unsignedView = (customer: Customer) =>
  customerRecordView({ ...customer, avatarKey: undefined }, noSigning);

export async function emitContactUpdated(
  events: WorkspaceEvents,
  tenantId: string,
  customer: Customer,
  change: 'created' | 'updated' | 'profile',
): Promise<void> {
  const event: LiveEvent = {
    id: stableId('evt', 'contact.updated', customer.id, customer.updatedAt),
    at: customer.updatedAt,
    type: 'contact.updated',
    data: { contact: await unsignedView(customer), change },
  };
  await events.emit(tenantId, event);
}

export async function emitContactMerged(
  events: WorkspaceEvents,
  tenantId: string,
  customer: Customer,
  sourceId: string,
  mergedAt: string,
): Promise<void> {
  const event: LiveEvent = {
    id: stableId('evt', 'contact.merged', sourceId, customer.id),
    at: mergedAt,
    type: 'contact.merged',
    data: { contact: await unsignedView(customer), sourceId },
  };
  await events.emit(tenantId, event);
}
