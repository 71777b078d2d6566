import { z } from 'zod';
import type { HandlerTable } from '../../engine/http/route-handler';
import { tenantOf } from '../../engine/http/tenant-caller';
import { conversationView, messageView } from './conversation-view';
import { getConversation, listInbox, listThread } from './inbox.service';

// Cursors carry sort-key values only: the tenant's keys are rebuilt by the repository.
const inboxCursor = z.object({ id: z.string().min(1).max(64), at: z.string().min(1).max(128) });
const messagesCursor = z.object({ before: z.string().startsWith('MSG#').max(512) });

export const conversationHandlers = {
  'conversations.list': async ({ c, caller, query, cursors }) => {
    const { data, userId } = tenantOf(caller);
    const page = await listInbox(
      data,
      {
        limit: query.limit,
        after: await cursors.read(inboxCursor),
        channel: query.channel,
        status: query.status,
        unread: query.unread === 'true',
        assigned: query.assigned,
      },
      userId,
    );
    return c.json({
      items: page.items.map((row) => conversationView(row.conversation, row.customer)),
      nextCursor: await cursors.next(page.next),
    });
  },
  'conversations.get': async ({ c, caller, params }) => {
    const { conversation, customer } = await getConversation(tenantOf(caller).data, params.id);
    return c.json(conversationView(conversation, customer));
  },
  'conversations.messages': async ({ c, caller, params, query, cursors }) => {
    const { data } = tenantOf(caller);
    const cursor = await cursors.read(messagesCursor);
    const page = await listThread(data, params.id, query.limit, cursor?.before);
    return c.json({
      items: page.items.map(messageView),
      nextCursor: await cursors.next(page.nextBefore ? { before: page.nextBefore } : null),
    });
  },
} satisfies Partial<HandlerTable>;
