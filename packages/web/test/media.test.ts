import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  envelope,
  igAttachmentEntry,
  waAudioEntry,
  waImageEntry,
  waTextEntry,
  type MetaEntryBody,
} from '../../server/test/factories/meta';
import { waitFor } from '../../server/test/helpers/harness';
import { oggOpusBytes, pngBytes, sha256Base64 } from './helpers/media-fixtures';
import {
  metaId,
  newPage,
  ownerTenant,
  postWebhook,
  screenshot,
  signIn,
  startWebWorld,
  type OwnerTenant,
  type WebWorld,
} from './helpers/web-harness';

// Media and rich messaging in the inbox, end to end through the sandbox and its Meta stand-in: a
// customer's photo and voice note arrive by signed webhook, are fetched from the stand-in and
// re-hosted, and show inline (the photo decoded, the voice note playable); an image pasted into
// the composer is uploaded, sent, reaches Meta, and shows in the thread. Then the rest of the
// issue through the same screens: read receipt and typing indicator, an Instagram contact with
// name, @username and picture and a group of photos, a template with an image header and a URL
// button, reply buttons, a reaction and a reply to a specific message.

let world: WebWorld;
let tenant: OwnerTenant;
let page: Page;
let base: string;

const customer = { from: '5511976540002', name: 'Joana Prado' };
let clock = Math.floor(Date.now() / 1000);

/** The stand-in's test hooks for media, profiles and sender actions. */
type MediaHooks = {
  media: {
    register(bytes: Uint8Array, mimeType: string, opts?: { expired?: boolean }): string;
    cdnUrl(bytes: Uint8Array, mimeType: string): string;
  };
  setInstagramProfile(
    igsid: string,
    profile: {
      name?: string;
      username?: string;
      profilePic?: { bytes: Uint8Array; mimeType: string };
    },
  ): void;
  outbound: {
    actions: { channel: string; action: string; recipientId?: string; body: unknown }[];
  };
};

function standIn() {
  const meta = world.t.sb.metaStandIn;
  if (!meta) throw new Error('the sandbox runs without its Meta stand-in');
  return meta as typeof meta & MediaHooks;
}

function wa(extra: Record<string, unknown> = {}) {
  return {
    wabaId: tenant.wabaId,
    phoneNumberId: tenant.phoneNumberId,
    from: customer.from,
    name: customer.name,
    timestamp: ++clock,
    ...extra,
  };
}

async function webhook(
  entry: MetaEntryBody,
  object: 'whatsapp_business_account' | 'instagram' = 'whatsapp_business_account',
) {
  const res = await postWebhook(world.t.api, world.t.sb.meta.appSecret, envelope(object, [entry]));
  expect(res.status).toBe(200);
}

async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await world.t.api.request(method, path, { token: tenant.token, body });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res.json as T;
}

/** The next send Meta accepted after `from` that matches. */
function sentAfter(from: number, match: (s: { channel: string; body: any }) => boolean) {
  return waitFor(async () => standIn().sent.slice(from).find(match), {
    timeoutMs: 15_000,
    what: 'a send at the Meta stand-in',
  });
}

/** Joana's WhatsApp messages as the API lists them, newest first. */
async function joanaMessages(): Promise<any[]> {
  const conversations = (await api('GET', '/conversations?channel=whatsapp')).items;
  const joana = conversations.find((c: any) => c.customer.name === customer.name);
  return (await api('GET', `/conversations/${joana.id}/messages`)).items;
}

async function openConversation(name: string) {
  const row = page.getByTestId('conversation-row').filter({ hasText: name });
  await row.waitFor({ timeout: 15_000 });
  await row.click();
  await page.getByRole('log', { name: `Messages with ${name}` }).waitFor();
}

beforeAll(async () => {
  world = await startWebWorld();
  base = world.t.sb.url;
  tenant = await ownerTenant(world, 'Floricultura Ipê');
  ({ page } = await newPage(world));
  await signIn(page, base, tenant.email, tenant.password);
});

afterAll(async () => {
  await world?.stop();
});

describe('media in the inbox', () => {
  it('shows an inbound photo inline and plays a voice note', async () => {
    const photo = pngBytes(64, 40);
    const voice = oggOpusBytes(1);
    const photoId = standIn().media.register(photo, 'image/png');
    const voiceId = standIn().media.register(voice, 'audio/ogg');
    await webhook(waTextEntry(wa({ text: 'Oi! Queria um buquê assim:' })));
    await webhook(
      waImageEntry(
        wa({
          mediaId: photoId,
          mimeType: 'image/png',
          sha256: sha256Base64(photo),
          caption: 'Girassóis e lavanda',
        }),
      ),
    );
    await webhook(
      waAudioEntry(
        wa({
          mediaId: voiceId,
          mimeType: 'audio/ogg; codecs=opus',
          sha256: sha256Base64(voice),
          voice: true,
        }),
      ),
    );

    const row = page.getByTestId('conversation-row').filter({ hasText: customer.name });
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    const log = page.getByRole('log');
    await log.getByText('Girassóis e lavanda').waitFor({ timeout: 15_000 });

    // The photo: our re-hosted copy, decoded by the browser.
    const img = log.locator('img[data-media-status="ready"]').first();
    await img.waitFor({ timeout: 15_000 });
    await page.waitForFunction(
      () => {
        const el = document.querySelector<HTMLImageElement>(
          '[role="log"] img[data-media-status="ready"]',
        );
        return Boolean(el && el.complete && el.naturalWidth > 0);
      },
      undefined,
      { timeout: 15_000 },
    );
    await expect(img.evaluate((el: HTMLImageElement) => el.naturalWidth)).resolves.toBe(64);
    const src = await img.getAttribute('src');
    expect(src).not.toContain('standin');
    expect(src).not.toContain('facebook');

    // The voice note: labelled as such, and the browser knows how long it is.
    await log.getByText('Voice message').waitFor();
    await page.waitForFunction(
      () => {
        const el = document.querySelector<HTMLAudioElement>('[role="log"] audio');
        return Boolean(el && el.readyState >= 1 && Number.isFinite(el.duration));
      },
      undefined,
      { timeout: 15_000 },
    );
    const duration = await log.locator('audio').evaluate((el: HTMLAudioElement) => el.duration);
    expect(duration).toBeGreaterThan(0.5);
    expect(duration).toBeLessThan(2);
    await screenshot(page, 'media-01-inbound');

    // Click to enlarge; Escape closes.
    await log.getByRole('button', { name: 'Enlarge photo' }).click();
    const lightbox = page.getByTestId('lightbox');
    await lightbox.waitFor();
    await expect(lightbox.getByRole('img').getAttribute('alt')).resolves.toBe(
      'Girassóis e lavanda',
    );
    await screenshot(page, 'media-02-lightbox');
    await page.keyboard.press('Escape');
    await lightbox.waitFor({ state: 'detached' });
  });

  it('says plainly when Meta’s copy expired before it could be fetched', async () => {
    const gone = pngBytes(20, 20);
    const mediaId = standIn().media.register(gone, 'image/png', { expired: true });
    await webhook(
      waImageEntry(
        wa({ mediaId, mimeType: 'image/png', sha256: sha256Base64(gone), caption: 'Este também' }),
      ),
    );
    const bubble = page.getByTestId('message').filter({ hasText: 'Este também' });
    await bubble.getByText('Media no longer available').waitFor({ timeout: 15_000 });
    await expect(bubble.locator('img').count()).resolves.toBe(0);
  });

  it('tells Meta the agent is typing, at most every few seconds', async () => {
    const typing: string[] = [];
    const onRequest = (req: { method(): string; url(): string }) => {
      if (req.method() === 'POST' && /\/conversations\/[^/]+\/typing$/.test(req.url())) {
        typing.push(req.url());
      }
    };
    page.on('request', onRequest);
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.pressSequentially('Que lindo', { delay: 30 });
    await page.waitForTimeout(300);
    page.off('request', onRequest);
    expect(typing).toHaveLength(1);
    await box.fill('');
  });

  it('sends a pasted image: uploaded, sent to Meta, shown in the thread', async () => {
    const before = standIn().sent.length;
    await page.getByRole('textbox', { name: 'Message' }).click();
    await page.evaluate(async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 80;
      canvas.height = 50;
      const ctx = canvas.getContext('2d')!;
      ctx.fillStyle = '#f59e0b';
      ctx.fillRect(0, 0, 80, 50);
      ctx.fillStyle = '#0f766e';
      ctx.fillRect(10, 10, 60, 30);
      const blob = await new Promise<Blob>((resolve) =>
        canvas.toBlob((b) => resolve(b!), 'image/png'),
      );
      const data = new DataTransfer();
      data.items.add(new File([blob], 'image.png', { type: 'image/png' }));
      document
        .getElementById('composer')!
        .dispatchEvent(
          new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
        );
    });
    const draft = page.getByTestId('attachment-draft');
    await draft.waitFor();
    await expect(draft.textContent()).resolves.toContain('image.png');
    await page
      .locator('[data-testid="attachment-draft"][data-state="uploaded"]')
      .waitFor({ timeout: 15_000 });
    await page.getByRole('textbox', { name: 'Caption' }).fill('Fica pronto às 16h');
    await screenshot(page, 'media-03-pasted');
    await page.getByRole('button', { name: 'Send attachment' }).click();
    await draft.waitFor({ state: 'detached' });

    // Meta got an image message with the caption, for this customer.
    const sent = await waitFor(
      async () =>
        standIn()
          .sent.slice(before)
          .find((s) => s.channel === 'whatsapp' && s.body.type === 'image'),
      { timeoutMs: 15_000, what: 'the image send at the Meta stand-in' },
    );
    expect(sent.recipientId.replace(/\D/g, '')).toBe(customer.from);
    const image = sent.body.image as { id?: string; link?: string; caption?: string };
    expect(image.caption).toBe('Fica pronto às 16h');
    expect(image.id ?? image.link).toBeTruthy();

    // And the thread shows it, decoded, with its caption.
    const bubble = page.getByTestId('message').filter({ hasText: 'Fica pronto às 16h' });
    await bubble.locator('img[data-media-status="ready"]').waitFor({ timeout: 15_000 });
    await expect
      .poll(
        () =>
          bubble
            .locator('img[data-media-status="ready"]')
            .evaluate((el: HTMLImageElement) => (el.complete ? el.naturalWidth : 0)),
        { timeout: 15_000 },
      )
      .toBe(80);
    await screenshot(page, 'media-04-sent');
  });

  it('refuses, before uploading, a file Meta would refuse: dropped or picked', async () => {
    const uploads: string[] = [];
    const onRequest = (req: { method(): string; url(): string }) => {
      if (req.method() === 'POST' && new URL(req.url()).pathname === '/media')
        uploads.push(req.url());
    };
    page.on('request', onRequest);
    // A GIF dropped on the thread: not a type WhatsApp takes.
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(
        new File([new Uint8Array([0x47, 0x49, 0x46])], 'party.gif', { type: 'image/gif' }),
      );
      const target = document.querySelector('[role="log"]')!;
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(
          new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }),
        );
      }
    });
    const composer = page
      .locator('form')
      .filter({ has: page.getByRole('button', { name: 'Attach a file' }) });
    await composer
      .getByRole('alert')
      .filter({
        hasText: '“party.gif” (image/gif) is not a file type WhatsApp or Instagram accepts.',
      })
      .waitFor();
    // A 6 MB photo picked with the file picker: over WhatsApp's 5 MB for images.
    await page.getByTestId('file-input').setInputFiles({
      name: 'festa.jpg',
      mimeType: 'image/jpeg',
      buffer: Buffer.alloc(6 * 1024 * 1024),
    });
    await composer
      .getByRole('alert')
      .filter({ hasText: '“festa.jpg” is 6 MB; WhatsApp takes images up to 5 MB.' })
      .waitFor();
    await expect(page.getByTestId('attachment-draft').count()).resolves.toBe(0);
    page.off('request', onRequest);
    expect(uploads).toEqual([]);
  });

  it('sent WhatsApp’s read receipt for the latest inbound message when the thread was opened', async () => {
    const latestInbound = (await joanaMessages()).find((m) => m.direction === 'inbound');
    const read = await waitFor(
      async () =>
        standIn().outbound.actions.find(
          (a) =>
            a.channel === 'whatsapp' &&
            a.action === 'read' &&
            a.recipientId === latestInbound.channelMessageId,
        ),
      { timeoutMs: 15_000, what: 'the read receipt' },
    );
    expect(read.body).toMatchObject({ messaging_product: 'whatsapp', status: 'read' });
    // The typing indicator went to Meta as well.
    await waitFor(async () => standIn().outbound.actions.find((a) => a.action === 'typing'), {
      timeoutMs: 15_000,
      what: 'the typing indicator',
    });
  });

  it('shows an Instagram contact by name, @username and picture, and several photos as a group', async () => {
    const accountId = metaId();
    const connected = await world.t.api.request('POST', '/channels', {
      token: tenant.token,
      body: { type: 'instagram', accountId, accessToken: 'IGAA-test-token-0123456789' },
    });
    expect(connected.status).toBe(201);
    const igsid = metaId();
    standIn().setInstagramProfile(igsid, {
      name: 'Marina Duarte',
      username: 'marina.duarte',
      profilePic: { bytes: pngBytes(32, 32, [190, 40, 90]), mimeType: 'image/png' },
    });
    const urls = [
      standIn().media.cdnUrl(pngBytes(40, 40, [30, 64, 175]), 'image/png'),
      standIn().media.cdnUrl(pngBytes(40, 40, [220, 38, 38]), 'image/png'),
    ];
    await webhook(
      igAttachmentEntry({ accountId, senderId: igsid, urls, timestamp: Date.now() }),
      'instagram',
    );

    const row = page.getByTestId('conversation-row').filter({ hasText: 'Marina Duarte' });
    await row.waitFor({ timeout: 15_000 });
    // The name lands first, the username and picture a write later (customer.repo setProfile).
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain('@marina.duarte');
    await expect(row.textContent()).resolves.not.toContain('Instagram user');
    await expect
      .poll(
        () =>
          row
            .locator('img')
            .first()
            .evaluate((el: HTMLImageElement) => (el.complete ? el.naturalWidth : 0))
            .catch(() => 0),
        { timeout: 15_000 },
      )
      .toBe(32);
    await row.click();
    const thread = page.getByRole('region', { name: 'Conversation', exact: true });
    await expect
      .poll(() => thread.locator('header').textContent(), { timeout: 10_000 })
      .toContain('@marina.duarte');

    const group = page.getByRole('log').getByTestId('attachment-group');
    await group.waitFor({ timeout: 15_000 });
    const photos = group.locator('img[data-media-status="ready"]');
    await expect.poll(() => photos.count(), { timeout: 15_000 }).toBe(2);
    await expect
      .poll(
        () =>
          photos.evaluateAll((els: HTMLImageElement[]) =>
            els.map((el) => (el.complete ? el.naturalWidth : 0)),
          ),
        { timeout: 15_000 },
      )
      .toEqual([40, 40]);
    // Our copies, never the Instagram CDN's.
    for (const src of await photos.evaluateAll((els: HTMLImageElement[]) =>
      els.map((e) => e.src),
    )) {
      expect(src).not.toContain('ig-cdn');
    }
    await screenshot(page, 'media-05-instagram');
  });

  it('sends a template with an image header, body values and a URL button', async () => {
    await openConversation(customer.name);
    const before = standIn().sent.length;
    await page.getByRole('button', { name: 'Send a template' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send a template' });
    await dialog.getByRole('button', { name: /order_shipped/ }).click();
    await dialog.getByTestId('template-header-file').setInputFiles({
      name: 'pedido.png',
      mimeType: 'image/png',
      buffer: Buffer.from(pngBytes(60, 40)),
    });
    await dialog.getByText('· ready').waitFor({ timeout: 15_000 });
    await dialog.getByLabel('Value for {{1}}').fill('Joana');
    await dialog.getByLabel('Value for {{2}}').fill('#2071');
    await dialog.getByLabel('Link ending for the “Track your order” button').fill('2071');
    const preview = dialog.getByTestId('template-preview');
    await expect(preview.textContent()).resolves.toContain(
      'Hi Joana, your order #2071 is on its way.',
    );
    await expect(preview.textContent()).resolves.toContain('https://shop.example.com/track/2071');
    await expect
      .poll(() =>
        preview
          .locator('img')
          .evaluate((el: HTMLImageElement) => (el.complete ? el.naturalWidth : 0)),
      )
      .toBe(60);
    await screenshot(page, 'media-06-template');
    await dialog.getByRole('button', { name: 'Send template' }).click();
    await dialog.waitFor({ state: 'detached' });

    const sent = await sentAfter(before, (s) => s.body.type === 'template');
    const template = sent.body.template as { name: string; components: any[] };
    expect(template.name).toBe('order_shipped');
    const kinds = template.components.map((c) => String(c.type).toLowerCase());
    expect(kinds).toEqual(expect.arrayContaining(['header', 'body', 'button']));
    const header = template.components.find((c) => String(c.type).toLowerCase() === 'header');
    expect(header.parameters[0].type).toBe('image');
    const button = template.components.find((c) => String(c.type).toLowerCase() === 'button');
    expect(button).toMatchObject({ sub_type: 'url' });
    expect(JSON.stringify(button.parameters)).toContain('2071');
    await page
      .getByTestId('message')
      .filter({ hasText: 'Hi Joana, your order #2071 is on its way.' })
      .waitFor();
  });

  it('sends reply buttons, reacts to a customer’s message and replies to one', async () => {
    // Reply buttons, from the composer's menu.
    let before = standIn().sent.length;
    await page.getByRole('button', { name: 'More ways to reply' }).click();
    await page.getByRole('menuitem', { name: 'Reply buttons' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send reply buttons' });
    await dialog.getByRole('textbox', { name: 'Message' }).fill('Confirmo o pedido para hoje?');
    await dialog.getByLabel('Button 1', { exact: true }).fill('Sim');
    await dialog.getByLabel('Button 2', { exact: true }).fill('Mudar horário');
    await dialog.getByRole('button', { name: 'Send', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const buttons = await sentAfter(before, (s) => s.body.type === 'interactive');
    expect(JSON.stringify(buttons.body.interactive)).toContain('Mudar horário');
    await page
      .getByTestId('message')
      .filter({ hasText: 'Confirmo o pedido para hoje?' })
      .getByText('Sim', { exact: true })
      .waitFor();

    // A reaction to the customer's first message.
    const greeting = (await joanaMessages()).find((m) => m.text === 'Oi! Queria um buquê assim:');
    const bubble = page.getByTestId('message').filter({ hasText: 'Oi! Queria um buquê assim:' });
    before = standIn().sent.length;
    await bubble.hover();
    await bubble.getByRole('button', { name: 'React to this message' }).click();
    await bubble.getByRole('button', { name: 'React with heart' }).click();
    const reaction = await sentAfter(before, (s) => s.body.type === 'reaction');
    expect(reaction.body.reaction).toMatchObject({
      message_id: greeting.channelMessageId,
      emoji: '❤️',
    });
    await bubble.getByLabel('Reactions: ❤️').waitFor({ timeout: 15_000 });

    // A reply quoting that message.
    before = standIn().sent.length;
    await bubble.hover();
    await bubble.getByRole('button', { name: 'Reply to this message' }).click();
    await expect(page.getByTestId('replying-to').textContent()).resolves.toContain(
      'Oi! Queria um buquê assim:',
    );
    await page.getByRole('textbox', { name: 'Message' }).fill('Claro, temos girassóis hoje!');
    await page.keyboard.press('Enter');
    const reply = await sentAfter(before, (s) => s.body.type === 'text');
    expect(reply.body.context).toEqual({ message_id: greeting.channelMessageId });
    await screenshot(page, 'media-07-rich');
  });

  it('ran without script errors or CSP violations', () => {
    const relevant = world.pageErrors.filter((e) => !/status of (401|404)/.test(e));
    expect(relevant).toEqual([]);
  });
});
