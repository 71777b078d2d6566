import { z } from 'zod';
import type { Context } from 'hono';
import { audit } from '../../engine/http/audit';
import { assetUrlSigner } from '../../engine/http/public-urls';
import type { AppDeps, HandlerTable } from '../../engine/http/route-handler';
import { nowOf } from '../../engine/http/session-deps';
import { tenantOf } from '../../engine/http/tenant-caller';
import type { TenantCaller } from '../../engine/http/auth-context';
import { AppError } from '../../engine/errors';
import { conversationView } from '../messaging/conversation-view';
import { MEDIA_URL_TTL_SECONDS } from '../messaging/media/media-keys';
import { createCannedReply, deleteCannedReply, updateCannedReply } from './canned-replies.service';
import {
  addConversationLabel,
  createLabel,
  deleteLabel,
  removeConversationLabel,
  updateLabel,
  type ConversationLabelOutcome,
} from './labels.service';
import { createNote, deleteNote, listNotes } from './notes.service';
import {
  cannedReplyView,
  labelsChangedEvent,
  labelView,
  noteCreatedEvent,
  noteDeletedEvent,
  noteView,
} from './workspace-views';

// Private notes, labels and canned replies (contracts/src/routes/workspace.routes.ts). Each write
// emits its workspace event after it succeeded; a replayed write emits the same event id again.

const notesCursor = z.object({ before: z.string().startsWith('NOTE#').max(256) });

function authorOf(caller: TenantCaller): string {
  if (!caller.userId) throw new AppError('forbidden', 'Notes are written by signed-in members.');
  return caller.userId;
}

/** Answers the conversation after a label change, and tells open screens when it changed. */
async function labelsAnswer(
  c: Context,
  caller: TenantCaller,
  deps: AppDeps,
  outcome: ConversationLabelOutcome,
) {
  const { data, ctx } = caller;
  const customer = await data.customers.get(outcome.conversation.customerId);
  const view = await conversationView(
    outcome.conversation,
    customer,
    assetUrlSigner(c, deps, MEDIA_URL_TTL_SECONDS),
  );
  await deps.events.emit(
    ctx.tenantId,
    labelsChangedEvent(view, outcome.labelsVersion, nowOf(deps)),
  );
  return c.json(view);
}

export const workspaceHandlers = {
  'conversations.notes.list': async ({ c, caller, params, query, cursors }) => {
    const cursor = await cursors.read(notesCursor);
    const page = await listNotes(tenantOf(caller).data, params.id, query.limit, cursor?.before);
    return c.json({
      items: page.items.map(noteView),
      nextCursor: await cursors.next(page.lastSk ? { before: page.lastSk } : null),
    });
  },
  'conversations.notes.create': async ({ c, caller, deps, params, body }) => {
    const tenant = tenantOf(caller);
    const input = await body();
    const { note, replayed } = await createNote(
      tenant.data,
      { conversationId: params.id, authorId: authorOf(tenant), ...input },
      nowOf(deps),
    );
    await deps.events.emit(tenant.ctx.tenantId, noteCreatedEvent(note));
    return c.json(noteView(note), replayed ? 200 : 201);
  },
  'conversations.notes.delete': async ({ c, caller, deps, params }) => {
    const tenant = tenantOf(caller);
    const now = nowOf(deps);
    const note = await deleteNote(tenant.data, params.id, params.noteId, tenant, now);
    await deps.events.emit(tenant.ctx.tenantId, noteDeletedEvent(note, now));
    return c.body(null, 204);
  },
  'conversations.labels.add': async ({ c, caller, deps, params }) => {
    const tenant = tenantOf(caller);
    const outcome = await addConversationLabel(tenant.data, params.id, params.labelId);
    return labelsAnswer(c, tenant, deps, outcome);
  },
  'conversations.labels.remove': async ({ c, caller, deps, params }) => {
    const tenant = tenantOf(caller);
    const outcome = await removeConversationLabel(tenant.data, params.id, params.labelId);
    return labelsAnswer(c, tenant, deps, outcome);
  },
  'labels.list': async ({ c, caller }) => {
    const labels = await tenantOf(caller).data.labels.list();
    return c.json({ items: labels.map(labelView) });
  },
  'labels.create': async ({ c, caller, deps, body }) => {
    const label = await createLabel(tenantOf(caller).data, await body(), nowOf(deps));
    await audit(c, caller, deps, {
      action: 'label.created',
      target: { type: 'label', id: label.id },
      details: { name: label.name, color: label.color },
    });
    return c.json(labelView(label), 201);
  },
  'labels.update': async ({ c, caller, deps, params, body }) => {
    const patch = await body();
    const label = await updateLabel(tenantOf(caller).data, params.id, patch, nowOf(deps));
    await audit(c, caller, deps, {
      action: 'label.updated',
      target: { type: 'label', id: label.id },
      details: { name: label.name, color: label.color },
    });
    return c.json(labelView(label));
  },
  'labels.delete': async ({ c, caller, deps, params }) => {
    const label = await deleteLabel(tenantOf(caller).data, params.id);
    await audit(c, caller, deps, {
      action: 'label.deleted',
      target: { type: 'label', id: label.id },
      details: { name: label.name },
    });
    return c.body(null, 204);
  },
  'cannedReplies.list': async ({ c, caller }) => {
    const replies = await tenantOf(caller).data.cannedReplies.list();
    return c.json({ items: replies.map(cannedReplyView) });
  },
  'cannedReplies.create': async ({ c, caller, deps, body }) => {
    const tenant = tenantOf(caller);
    const reply = await createCannedReply(tenant.data, await body(), tenant.userId, nowOf(deps));
    await audit(c, caller, deps, {
      action: 'canned_reply.created',
      target: { type: 'cannedReply', id: reply.id },
      details: { shortCode: reply.shortCode },
    });
    return c.json(cannedReplyView(reply), 201);
  },
  'cannedReplies.update': async ({ c, caller, deps, params, body }) => {
    const patch = await body();
    const reply = await updateCannedReply(tenantOf(caller).data, params.id, patch, nowOf(deps));
    await audit(c, caller, deps, {
      action: 'canned_reply.updated',
      target: { type: 'cannedReply', id: reply.id },
      details: { shortCode: reply.shortCode },
    });
    return c.json(cannedReplyView(reply));
  },
  'cannedReplies.delete': async ({ c, caller, deps, params }) => {
    const reply = await deleteCannedReply(tenantOf(caller).data, params.id);
    await audit(c, caller, deps, {
      action: 'canned_reply.deleted',
      target: { type: 'cannedReply', id: reply.id },
      details: { shortCode: reply.shortCode },
    });
    return c.body(null, 204);
  },
} satisfies Partial<HandlerTable>;
