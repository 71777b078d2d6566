import {
  labelsPerConversationMax,
  labelsPerTenantMax,
  type LabelColor,
} from '@switchboard/contracts';
import type { TenantData } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import { randomId } from '../../engine/ids';
import type { LabelledConversation } from './conversation-labels.repo';
import { labelNameKey, type Label } from './label.repo';

// Labels: the tenant's list (admins manage it) and the labels on a conversation (agents add and
// remove them). Deleting a label does not visit conversations: readers show only listed ids, the
// inbox filter on a deleted id matches nothing, and a conversation drops stale ids the next time its
// labels change.

const nameTaken = () =>
  new AppError('label_name_taken', 'A label with that name already exists.', {
    fields: { name: 'A label with that name already exists.' },
  });

export async function createLabel(
  data: TenantData,
  input: { name: string; color: LabelColor },
  now: Date,
): Promise<Label> {
  const existing = await data.labels.list();
  if (existing.some((l) => labelNameKey(l.name) === labelNameKey(input.name))) throw nameTaken();
  if (existing.length >= labelsPerTenantMax) {
    throw new AppError('limit_reached', `A workspace holds at most ${labelsPerTenantMax} labels.`);
  }
  const at = now.toISOString();
  const label: Label = { id: randomId('lbl'), ...input, createdAt: at, updatedAt: at };
  if (!(await data.labels.claimName(label.name, label.id))) throw nameTaken();
  await data.labels.create(label);
  return label;
}

export async function updateLabel(
  data: TenantData,
  labelId: string,
  patch: { name?: string; color?: LabelColor },
  now: Date,
): Promise<Label> {
  const label = await data.labels.get(labelId);
  if (!label) throw new NotFoundError('Label');
  const renamed = patch.name !== undefined && labelNameKey(patch.name) !== labelNameKey(label.name);
  if (renamed && !(await data.labels.claimName(patch.name!, labelId))) throw nameTaken();
  const updated = await data.labels.update(labelId, patch, now.toISOString());
  if (!updated) {
    if (renamed) await data.labels.releaseName(patch.name!, labelId);
    throw new NotFoundError('Label');
  }
  if (renamed) await data.labels.releaseName(label.name, labelId);
  return updated;
}

export async function deleteLabel(data: TenantData, labelId: string): Promise<Label> {
  const label = await data.labels.get(labelId);
  if (!label) throw new NotFoundError('Label');
  if (!(await data.labels.delete(labelId))) throw new NotFoundError('Label');
  await data.labels.releaseName(label.name, labelId);
  return label;
}

/** The label ids a reader may show: those still in the tenant's list. */
async function withoutStale(
  data: TenantData,
  result: LabelledConversation,
): Promise<LabelledConversation> {
  const ids = result.conversation.labelIds ?? [];
  if (ids.length === 0) return result;
  const known = new Set((await data.labels.list()).map((l) => l.id));
  const stale = ids.filter((id) => !known.has(id));
  if (stale.length === 0) return result;
  await data.conversationLabels.prune(result.conversation.id, stale);
  const labelIds = ids.filter((id) => known.has(id));
  const { labelIds: _old, ...conversation } = result.conversation;
  return {
    ...result,
    conversation: labelIds.length ? { ...conversation, labelIds } : conversation,
  };
}

export type ConversationLabelOutcome = LabelledConversation & { changed: boolean };

export async function addConversationLabel(
  data: TenantData,
  conversationId: string,
  labelId: string,
): Promise<ConversationLabelOutcome> {
  if (!(await data.labels.get(labelId))) throw new NotFoundError('Label');
  const change = await data.conversationLabels.add(
    conversationId,
    labelId,
    labelsPerConversationMax,
  );
  if (change.outcome === 'missing') throw new NotFoundError('Conversation');
  if (change.outcome === 'full') {
    throw new AppError(
      'limit_reached',
      `A conversation holds at most ${labelsPerConversationMax} labels.`,
    );
  }
  return { ...(await withoutStale(data, change.result)), changed: change.outcome === 'changed' };
}

export async function removeConversationLabel(
  data: TenantData,
  conversationId: string,
  labelId: string,
): Promise<ConversationLabelOutcome> {
  const change = await data.conversationLabels.remove(conversationId, labelId);
  if (change.outcome === 'missing') throw new NotFoundError('Conversation');
  return { ...(await withoutStale(data, change.result)), changed: change.outcome === 'changed' };
}
