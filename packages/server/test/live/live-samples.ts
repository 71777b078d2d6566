import type { LiveEvent, LiveEventType } from '@switchboard/contracts';

// One sample of every workspace event type. The record is keyed by the union's `type`: a variant
// added to contracts/src/live.ts fails the type check here until it has a sample, so the isolation
// suite always covers every event a socket can carry.

export type SampleFixture = { tenantId: string; conversationId: string; userId: string };

const at = '2026-01-02T03:04:05.000Z';
const customer = { id: 'wa-5511999990000', name: 'Ana', identities: { whatsapp: '5511999990000' } };
const message = (fx: SampleFixture) => ({
  id: 'msg_sample',
  conversationId: fx.conversationId,
  channel: 'whatsapp' as const,
  direction: 'inbound' as const,
  type: 'text' as const,
  text: `secret of ${fx.tenantId}`,
  status: 'received' as const,
  timestamp: at,
});

export const liveEventSamples: {
  [T in LiveEventType]: (fx: SampleFixture) => Extract<LiveEvent, { type: T }>;
} = {
  'message.created': (fx) => ({
    id: `evt_created_${fx.tenantId}`,
    at,
    type: 'message.created',
    data: { conversationId: fx.conversationId, message: message(fx) },
  }),
  'message.updated': (fx) => ({
    id: `evt_updated_${fx.tenantId}`,
    at,
    type: 'message.updated',
    data: { conversationId: fx.conversationId, message: { ...message(fx), status: 'read' } },
  }),
  'conversation.updated': (fx) => ({
    id: `evt_conv_${fx.tenantId}`,
    at,
    type: 'conversation.updated',
    data: {
      change: 'assigned',
      conversation: {
        id: fx.conversationId,
        customer,
        channel: 'whatsapp',
        channelId: 'ch_sample',
        status: 'open',
        lastMessageAt: at,
        unreadCount: 1,
        assigneeId: fx.userId,
      },
    },
  }),
  'note.created': (fx) => ({
    id: `evt_note_${fx.tenantId}`,
    at,
    type: 'note.created',
    data: {
      conversationId: fx.conversationId,
      mentions: [fx.userId],
      note: {
        id: 'note_sample',
        conversationId: fx.conversationId,
        text: `note of ${fx.tenantId}`,
        mentions: [fx.userId],
        authorId: fx.userId,
        createdAt: at,
      },
    },
  }),
  'note.deleted': (fx) => ({
    id: `evt_note_deleted_${fx.tenantId}`,
    at,
    type: 'note.deleted',
    data: { conversationId: fx.conversationId, noteId: 'note_sample' },
  }),
  'contact.updated': (fx) => ({
    id: `evt_contact_${fx.tenantId}`,
    at,
    type: 'contact.updated',
    data: { change: 'updated', contact: { ...customer, email: `ana@${fx.tenantId}.test` } },
  }),
  'contact.merged': (fx) => ({
    id: `evt_merged_${fx.tenantId}`,
    at,
    type: 'contact.merged',
    data: { sourceId: 'ig-1784', contact: { ...customer, mergedFrom: ['ig-1784'] } },
  }),
  'campaign.progress': (fx) => ({
    id: `evt_campaign_${fx.tenantId}`,
    at,
    type: 'campaign.progress',
    data: { campaignId: `cmp_of_${fx.tenantId}`, status: 'running' },
  }),
};
