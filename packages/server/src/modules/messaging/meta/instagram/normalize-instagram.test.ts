import { describe, expect, it } from 'vitest';
import {
  IG_DEFAULTS,
  igAttachmentEntry,
  igChangeEntry,
  igEchoEntry,
  igImageEntry,
  igMessagingEntry,
  igPostbackEntry,
  igQuickReplyEntry,
  igReactionEntry,
  igReadEntry,
  igStoryMentionEntry,
  igStoryReplyEntry,
  igTextEntry,
  igUnsendEntry,
  type MetaEntryBody,
} from '../../../../../test/factories/meta';
import { igReactionMessageId } from '../normalize';
import { IG, IG_ISO, IG_ROUTING, WA_ISO, only, onlyMessage, run } from '../normalize.test-support';

describe('Instagram messaging', () => {
  it('text: routing from entry.id, unix ms → ISO', () => {
    const entry = igTextEntry({
      mid: 'MID.T1',
      senderId: '555',
      text: 'Oi 👟',
      timestamp: 1767225600123,
    });
    expect(run(IG, entry)).toEqual([
      {
        kind: 'message',
        routing: IG_ROUTING,
        customer: { externalId: '555' },
        message: {
          channelMessageId: 'MID.T1',
          direction: 'inbound',
          type: 'text',
          timestamp: IG_ISO,
          text: 'Oi 👟',
        },
      },
    ]);
  });

  it('image attachment, and several attachments in one message', () => {
    const img = onlyMessage(
      run(IG, igImageEntry({ mid: 'MID.I', url: 'https://cdn.example/a.jpg' })),
    );
    expect(img).toEqual({
      channelMessageId: 'MID.I',
      direction: 'inbound',
      type: 'image',
      timestamp: IG_ISO,
      media: { url: 'https://cdn.example/a.jpg' },
    });
    const multi = onlyMessage(
      run(
        IG,
        igAttachmentEntry({ urls: ['https://cdn.example/1.jpg', 'https://cdn.example/2.jpg'] }),
      ),
    );
    expect(multi.media).toEqual({ url: 'https://cdn.example/1.jpg' });
    expect(multi.attachments).toEqual([
      { url: 'https://cdn.example/1.jpg' },
      { url: 'https://cdn.example/2.jpg' },
    ]);
  });

  it('file → document, share/reel → share, unknown attachment → unsupported', () => {
    expect(onlyMessage(run(IG, igAttachmentEntry({ attachmentType: 'file' }))).type).toBe(
      'document',
    );
    expect(onlyMessage(run(IG, igAttachmentEntry({ attachmentType: 'ig_reel' }))).type).toBe(
      'share',
    );
    expect(onlyMessage(run(IG, igAttachmentEntry({ attachmentType: 'share' }))).type).toBe('share');
    expect(onlyMessage(run(IG, igAttachmentEntry({ attachmentType: 'hologram' })))).toMatchObject({
      type: 'unsupported',
      originalType: 'hologram',
    });
  });

  it('story reply → story_reply with story context', () => {
    const msg = onlyMessage(
      run(
        IG,
        igStoryReplyEntry({
          mid: 'MID.S',
          text: 'Lindo!',
          storyId: '1798',
          storyUrl: 'https://cdn.example/story',
        }),
      ),
    );
    expect(msg).toEqual({
      channelMessageId: 'MID.S',
      direction: 'inbound',
      type: 'story_reply',
      timestamp: IG_ISO,
      text: 'Lindo!',
      context: { storyUrl: 'https://cdn.example/story', storyId: '1798' },
    });
  });

  it('reply to a message keeps reply_to.mid as context', () => {
    const entry = igMessagingEntry(
      {},
      { message: { mid: 'MID.R', text: 'this one', reply_to: { mid: 'MID.ORIG' } } },
    );
    expect(onlyMessage(run(IG, entry)).context).toEqual({ messageId: 'MID.ORIG' });
  });

  it('story mention → story_mention with the story media url', () => {
    const msg = onlyMessage(run(IG, igStoryMentionEntry({ url: 'https://cdn.example/mention' })));
    expect(msg).toMatchObject({
      type: 'story_mention',
      media: { url: 'https://cdn.example/mention' },
    });
  });

  it('quick reply → text with interactive quick_reply', () => {
    const msg = onlyMessage(
      run(IG, igQuickReplyEntry({ text: 'Quero orçamento', payload: 'QR_QUOTE' })),
    );
    expect(msg).toMatchObject({
      type: 'text',
      text: 'Quero orçamento',
      interactive: { kind: 'quick_reply', title: 'Quero orçamento', payload: 'QR_QUOTE' },
    });
  });

  it('postback → postback with interactive', () => {
    const event = only(
      run(IG, igPostbackEntry({ mid: 'MID.P', title: 'Falar com atendente', payload: 'HUMAN' })),
    );
    expect(event).toEqual({
      kind: 'message',
      routing: IG_ROUTING,
      customer: { externalId: IG_DEFAULTS.senderId },
      message: {
        channelMessageId: 'MID.P',
        direction: 'inbound',
        type: 'postback',
        timestamp: IG_ISO,
        text: 'Falar com atendente',
        interactive: { kind: 'postback', title: 'Falar com atendente', payload: 'HUMAN' },
      },
    });
  });

  it('echo → outbound message whose customer is the recipient', () => {
    const event = only(run(IG, igEchoEntry({ mid: 'MID.E', senderId: '777', text: 'Temos sim!' })));
    expect(event).toEqual({
      kind: 'message',
      routing: IG_ROUTING,
      customer: { externalId: '777' },
      message: {
        channelMessageId: 'MID.E',
        direction: 'outbound',
        type: 'text',
        timestamp: IG_ISO,
        text: 'Temos sim!',
      },
    });
  });

  it('echo is recognised by is_echo even when sender id differs from entry.id', () => {
    const entry = igMessagingEntry(
      {},
      { message: { mid: 'MID.E2', text: 'from the app', is_echo: true } },
      { fromBusiness: true },
    );
    const event = entry.messaging?.[0] as { sender: { id: string } };
    event.sender.id = '90010000000000001';
    const result = only(run(IG, entry));
    expect(result).toMatchObject({
      kind: 'message',
      customer: { externalId: IG_DEFAULTS.senderId },
      message: { direction: 'outbound' },
    });
  });

  it('is_deleted → unsend', () => {
    expect(only(run(IG, igUnsendEntry({ mid: 'MID.D', senderId: '888' })))).toEqual({
      kind: 'unsend',
      routing: IG_ROUTING,
      customerExternalId: '888',
      channelMessageId: 'MID.D',
      timestamp: IG_ISO,
    });
  });

  it('reaction / unreact → reaction messages with deterministic, distinct ids', () => {
    const react = igReactionEntry({ reactedMid: 'MID.OUT', emoji: '❤️', timestamp: 1767225600123 });
    const first = only(run(IG, react));
    const redelivered = only(run(IG, react));
    expect(first).toEqual(redelivered);
    expect(first).toEqual({
      kind: 'message',
      routing: IG_ROUTING,
      customer: { externalId: IG_DEFAULTS.senderId },
      message: {
        channelMessageId: `MID.OUT:reaction:${IG_DEFAULTS.senderId}:1767225600123`,
        direction: 'inbound',
        type: 'reaction',
        timestamp: IG_ISO,
        reaction: { messageId: 'MID.OUT', emoji: '❤️', action: 'react' },
      },
    });
    const unreact = onlyMessage(
      run(
        IG,
        igReactionEntry({ reactedMid: 'MID.OUT', action: 'unreact', timestamp: 1767225700000 }),
      ),
    );
    expect(unreact.reaction).toEqual({ messageId: 'MID.OUT', action: 'unreact' });
    expect(unreact.channelMessageId).toBe(
      igReactionMessageId('MID.OUT', IG_DEFAULTS.senderId, 1767225700000),
    );
    expect(unreact.channelMessageId).not.toBe(
      first.kind === 'message' && first.message.channelMessageId,
    );
  });

  it('read → status read for read.mid, recipient is the reader', () => {
    expect(only(run(IG, igReadEntry({ readMid: 'MID.OUT', senderId: '999' })))).toEqual({
      kind: 'status',
      routing: IG_ROUTING,
      channelMessageId: 'MID.OUT',
      recipientId: '999',
      status: 'read',
      timestamp: IG_ISO,
    });
  });

  it('unknown fields are ignored and odd events become ignored', () => {
    const entry = igTextEntry({ mid: 'MID.X', text: 'hi' }) as MetaEntryBody &
      Record<string, unknown>;
    const event = entry.messaging?.[0] as Record<string, unknown> & {
      message: Record<string, unknown>;
    };
    event['future'] = 1;
    event.message['is_self'] = false;
    expect(onlyMessage(run(IG, entry))).toMatchObject({
      channelMessageId: 'MID.X',
      type: 'text',
      text: 'hi',
    });

    const edit = igMessagingEntry({}, { message_edit: { mid: 'MID.X', text: 'hi!', num_edit: 1 } });
    expect(only(run(IG, edit))).toEqual({
      kind: 'ignored',
      routing: IG_ROUTING,
      reason: 'unhandled messaging event: message_edit',
    });
  });

  it('`changes` with field messages (dashboard test format, seconds as a string) is normalised', () => {
    const entry = igChangeEntry({
      field: 'messages',
      value: {
        sender: { id: '12334' },
        recipient: { id: IG_DEFAULTS.accountId },
        timestamp: '1767225600',
        message: { mid: 'random_mid', text: 'random_text' },
      },
    });
    expect(onlyMessage(run(IG, entry))).toEqual({
      channelMessageId: 'random_mid',
      direction: 'inbound',
      type: 'text',
      timestamp: WA_ISO,
      text: 'random_text',
    });
  });

  it('`changes` for mentions / story_insights / comments are ignored', () => {
    for (const field of ['mentions', 'story_insights', 'comments']) {
      const entry = igChangeEntry({
        field,
        value: { media_id: '17887498072083520', comment_id: '17894227972186120' },
      });
      expect(only(run(IG, entry))).toEqual({
        kind: 'ignored',
        routing: IG_ROUTING,
        reason: `unhandled field: ${field}`,
      });
    }
  });

  it('object "page" with messaging events is handled like Instagram; watermark-only reads are ignored', () => {
    const text = igTextEntry({ accountId: '1122334455', mid: 'm_page', text: 'hi' });
    expect(only(run('page', text))).toMatchObject({
      kind: 'message',
      routing: { channel: 'instagram', accountId: '1122334455' },
      message: { channelMessageId: 'm_page', type: 'text' },
    });
    const read = igMessagingEntry(
      { accountId: '1122334455' },
      { read: { watermark: 1767225600000 } },
    );
    expect(only(run('page', read))).toMatchObject({ kind: 'ignored' });
  });
});
