import { lastMailTo, tokenOf } from '../../../server/test/auth/helpers';
import {
  envelope,
  fakeMid,
  igEchoEntry,
  igPostbackEntry,
  igQuickReplyEntry,
  igReactionEntry,
  igStoryMentionEntry,
  igStoryReplyEntry,
  igTextEntry,
  igUnsendEntry,
  waAudioEntry,
  waButtonReplyEntry,
  waContactsEntry,
  waDocumentEntry,
  waImageEntry,
  waListReplyEntry,
  waLocationEntry,
  waOrderEntry,
  waReactionEntry,
  waReplyEntry,
  waStatusEntry,
  waStickerEntry,
  waTextEntry,
  waUnsupportedEntry,
  type MetaEntryBody,
} from '../../../server/test/factories/meta';
import { base32Decode, totp } from '../../../server/src/modules/identity/totp';
import { waitFor } from '../../../server/test/helpers/harness';
import { contactFormBody, publishedForm } from '../../../server/test/leads/lead-fixtures';
import { oggOpusBytes, pngBytes, sha256Base64 } from './media-fixtures';
import { metaId, ownerTenant, postWebhook, type OwnerTenant, type WebWorld } from './web-harness';

// The workspaces the accessibility test looks at, seeded through the API and the signed webhook
// like any other browser test: a WhatsApp thread holding every kind of message with ticks, a
// failure, a template and a note; an Instagram thread; leads, forms, keys, destinations, labels,
// canned replies, an invitation and a password reset; an empty workspace; a contested channel
// claim; an owner with two-factor on and a light brand colour; a person in two workspaces.

let world: WebWorld;
let tenant: OwnerTenant;
let newcomer: OwnerTenant;
/** A person in two workspaces: signing in asks which. */
export const roamer = {
  email: `roamer-${metaId()}@example.com`,
  password: 'a long password, roaming',
};
const lightBrand = '#38bdf8';
/** An owner with two-factor sign-in on, whose workspace has a light brand colour. */
export const guarded = {
  email: `guarded-${metaId()}@example.com`,
  password: 'a long password, guarded',
  secret: '',
};
/** Ids and tokens the screens' paths need, filled in by seedAccessibilityWorld. */
export const seeded = {
  conversationId: '',
  customerId: '',
  formId: '',
  leadId: '',
  resetToken: '',
  inviteToken: '',
  igConversationId: '',
};
export const igCustomer = 'Marina Duarte';
export const customer = { from: '5511955510001', name: 'Helena Vasconcelos' };
let clock = Math.floor(Date.now() / 1000) - 600;

function standIn() {
  const meta = world.t.sb.metaStandIn;
  if (!meta) throw new Error('the sandbox runs without its Meta stand-in');
  return meta as typeof meta & {
    media: { register(bytes: Uint8Array, mimeType: string, opts?: { expired?: boolean }): string };
    registerWaba(wabaId: string, opts: { phoneNumberIds: string[]; tokens: string[] }): void;
    setInstagramProfile(
      igsid: string,
      profile: {
        name?: string;
        username?: string;
        profilePic?: { bytes: Uint8Array; mimeType: string };
      },
    ): void;
  };
}

async function api<T = any>(method: string, path: string, body?: unknown, token = tenant.token) {
  const res = await world.t.api.request(method, path, { token, body });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res.json as T;
}

async function webhook(
  entry: MetaEntryBody,
  object: 'whatsapp_business_account' | 'instagram' = 'whatsapp_business_account',
) {
  const res = await postWebhook(world.t.api, world.t.sb.meta.appSecret, envelope(object, [entry]));
  if (res.status !== 200) throw new Error(`webhook: ${res.status} ${res.text}`);
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

async function messages(): Promise<any[]> {
  return (await api('GET', `/conversations/${seeded.conversationId}/messages`)).items;
}

/** A thread with inbound messages of every kind, replies with their ticks, a failure, a template. */
async function seedThread() {
  await webhook(waTextEntry(wa({ text: 'Bom dia! Vocês fazem arranjos para casamento?' })));
  const first = await waitFor(
    async () =>
      (await api('GET', '/conversations')).items.find(
        (c: any) => c.customer.name === customer.name,
      ),
    { timeoutMs: 15_000, what: 'the conversation' },
  );
  seeded.conversationId = first.id;
  seeded.customerId = first.customer.id;
  const photo = pngBytes(64, 40);
  const voice = oggOpusBytes(1);
  await webhook(
    waImageEntry(
      wa({
        mediaId: standIn().media.register(photo, 'image/png'),
        mimeType: 'image/png',
        sha256: sha256Base64(photo),
        caption: 'Algo nesse estilo',
      }),
    ),
  );
  const expired = pngBytes(20, 20);
  await webhook(
    waImageEntry(
      wa({
        mediaId: standIn().media.register(expired, 'image/png', { expired: true }),
        mimeType: 'image/png',
        sha256: sha256Base64(expired),
        caption: 'E este também',
      }),
    ),
  );
  await webhook(
    waAudioEntry(
      wa({
        mediaId: standIn().media.register(voice, 'audio/ogg'),
        mimeType: 'audio/ogg; codecs=opus',
        sha256: sha256Base64(voice),
        voice: true,
      }),
    ),
  );
  const pdf = new TextEncoder().encode('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
  await webhook(
    waDocumentEntry(
      wa({
        mediaId: standIn().media.register(pdf, 'application/pdf'),
        mimeType: 'application/pdf',
        sha256: sha256Base64(pdf),
        filename: 'lista-de-convidados.pdf',
      }),
    ),
  );
  await webhook(waStickerEntry(wa()));
  await webhook(waLocationEntry(wa()));
  await webhook(waContactsEntry(wa()));
  await webhook(waUnsupportedEntry(wa()));
  await webhook(waOrderEntry(wa()));
  const greeting = await waitFor(
    async () => (await messages()).find((m) => m.text?.startsWith('Bom dia!')),
    { timeoutMs: 15_000, what: 'the greeting' },
  );
  await webhook(
    waReplyEntry(wa({ replyToWamid: greeting.channelMessageId, text: 'Para 120 convidados.' })),
  );

  const send = (body: Record<string, unknown>) =>
    api('POST', '/send-message', { conversationId: seeded.conversationId, ...body });
  const answer = await send({ text: 'Fazemos sim! Qual a data do casamento?' });
  await webhook(waReactionEntry(wa({ reactedWamid: answer.channelMessageId, emoji: '🙏' })));
  await send({
    template: { name: 'order_update', language: 'pt_BR', parameters: ['Helena', '#3107'] },
  });
  await send({
    interactive: {
      type: 'buttons',
      body: 'Prefere que a gente ligue?',
      buttons: [
        { id: 'call', title: 'Pode ligar' },
        { id: 'chat', title: 'Por aqui' },
      ],
    },
  });
  const buttons = await send({
    interactive: {
      type: 'buttons',
      body: 'Entrega ou retirada?',
      buttons: [
        { id: 'delivery', title: 'Entrega' },
        { id: 'pickup', title: 'Retirada' },
      ],
    },
  });
  await webhook(
    waButtonReplyEntry(
      wa({ replyToWamid: buttons.channelMessageId, buttonId: 'pickup', title: 'Retirada' }),
    ),
  );
  await webhook(waListReplyEntry(wa({ replyToWamid: buttons.channelMessageId })));
  const failed = await send({ text: 'Segue o endereço da loja: Rua das Flores, 12.' });
  // Meta's later status: this one did not go out.
  await webhook(
    waStatusEntry({
      wabaId: tenant.wabaId,
      phoneNumberId: tenant.phoneNumberId,
      wamid: failed.channelMessageId,
      recipientId: customer.from,
      status: 'failed',
      timestamp: ++clock,
    }),
  );
  await waitFor(
    async () => (await messages()).find((m) => m.id === failed.id && m.status === 'failed'),
    { timeoutMs: 15_000, what: 'the failed status' },
  );
}

/** An Instagram conversation: a story reply and mention, quick reply, postback, echo, unsend. */
async function seedInstagram() {
  const accountId = metaId();
  await api('POST', '/channels', {
    type: 'instagram',
    accountId,
    accessToken: 'IGAA-test-token-0123456789',
  });
  const senderId = metaId();
  standIn().setInstagramProfile(senderId, {
    name: igCustomer,
    username: 'marina.duarte',
    profilePic: { bytes: pngBytes(32, 32, [190, 40, 90]), mimeType: 'image/png' },
  });
  let at = Date.now() - 300_000;
  const ig = (extra: Record<string, unknown> = {}) => ({
    accountId,
    senderId,
    timestamp: (at += 1000),
    ...extra,
  });
  const deliver = (entry: MetaEntryBody) => webhook(entry, 'instagram');
  const greeting = fakeMid(accountId);
  await deliver(igTextEntry(ig({ mid: greeting, text: 'Oi! Vocês fazem buquê de noiva?' })));
  await deliver(igStoryReplyEntry(ig()));
  await deliver(igStoryMentionEntry(ig()));
  await deliver(igQuickReplyEntry(ig()));
  await deliver(igPostbackEntry(ig()));
  const echoed = fakeMid(accountId);
  await deliver(igEchoEntry(ig({ mid: echoed, text: 'Fazemos sim! Qual a data?' })));
  await deliver(igReactionEntry(ig({ reactedMid: echoed })));
  const regret = fakeMid(accountId);
  await deliver(igTextEntry(ig({ mid: regret, text: 'Esquece, mandei errado' })));
  await deliver(igUnsendEntry(ig({ mid: regret })));
  const conversation = await waitFor(
    async () =>
      (await api('GET', '/conversations?channel=instagram')).items.find(
        (c: any) => c.customer.name === igCustomer,
      ),
    { timeoutMs: 15_000, what: 'the Instagram conversation' },
  );
  seeded.igConversationId = conversation.id;
}

/** Labels of every colour (two on the thread), a private note, a canned reply, an event endpoint. */
async function seedWorkspaceTools() {
  const colors = [
    'gray',
    'red',
    'orange',
    'amber',
    'green',
    'teal',
    'blue',
    'indigo',
    'purple',
    'pink',
  ] as const;
  const labels = [];
  for (const color of colors) {
    labels.push(await api('POST', '/labels', { name: `Label ${color}`, color }));
  }
  for (const label of labels.slice(0, 3)) {
    await api('PUT', `/conversations/${seeded.conversationId}/labels/${label.id}`);
  }
  await api('POST', `/conversations/${seeded.conversationId}/notes`, {
    text: 'Casamento em março: pedir a paleta de cores antes de orçar.',
  });
  await api('POST', '/canned-replies', {
    shortCode: 'horario',
    content: 'Olá {{contact.first_name}}! Abrimos de segunda a sábado, das 8h às 18h.',
  });
  await api('POST', '/event-destinations', {
    url: 'https://events.example.invalid/switchboard',
    events: ['message.received', 'conversation.closed'],
  });
}

async function seedWorkspace() {
  seeded.formId = await publishedForm(world.t.api, tenant.token, contactFormBody());
  const posted = await api('POST', '/leads', {
    formId: seeded.formId,
    fields: {
      name: 'Beatriz Lopes',
      email: 'beatriz@example.com',
      phone: '+5511955510002',
      interest: 'pricing',
      message: 'Orçamento para um evento',
      terms: true,
    },
  });
  const lead = await waitFor(
    async () =>
      (await api('GET', '/leads')).items.find((l: any) =>
        l.submissions?.some?.((s: any) => s.id === posted.submissionId),
      ) ??
      (await api('GET', '/leads')).items.find((l: any) => JSON.stringify(l).includes('Beatriz')),
    { timeoutMs: 15_000, what: 'the lead' },
  );
  seeded.leadId = lead.id;
  await api('POST', '/api-keys', { name: 'Website backend', scopes: ['leads:write'] });
  const old = await api('POST', '/api-keys', { name: 'Old integration', scopes: ['read'] });
  await api('DELETE', `/api-keys/${old.id}`);
  await api('POST', '/crm-destinations', {
    type: 'webhook',
    url: 'https://crm.example.invalid/hooks/leads',
  });
  const invitee = `florist-${metaId()}@example.com`;
  await api('POST', '/users', { email: invitee, role: 'agent' });
  seeded.inviteToken = tokenOf(lastMailTo(world.t.sb, invitee, 'invitation'), 'invite');
  await world.t.api.request('POST', '/auth/password-reset', { body: { email: tenant.email } });
  seeded.resetToken = tokenOf(
    lastMailTo(world.t.sb, tenant.email, 'password_reset'),
    'reset-password',
  );
}

/** A WhatsApp number both workspaces prove to Meta: the second claim is contested. */
async function seedChannelClaim() {
  const wabaId = metaId();
  const phoneNumberId = metaId();
  const tokens = [`EAAG-holder-${metaId()}`, `EAAG-claimant-${metaId()}`];
  standIn().registerWaba(wabaId, { phoneNumberIds: [phoneNumberId], tokens });
  const body = (accessToken: string) => ({ type: 'whatsapp', wabaId, phoneNumberId, accessToken });
  await api('POST', '/channels', body(tokens[0]!));
  const contested = await world.t.api.request('POST', '/channels', {
    token: newcomer.token,
    body: body(tokens[1]!),
  });
  if (contested.status !== 409) {
    throw new Error(`the second claim should be contested: ${contested.status} ${contested.text}`);
  }
}

async function seedTwoFactorOwner() {
  await api(
    'POST',
    '/admin/tenants',
    { name: 'Cofre Ateliê', ownerEmail: guarded.email, ownerPassword: guarded.password },
    world.t.adminToken,
  );
  const token = await world.t.api.login(guarded.email, guarded.password);
  // A light brand colour: white would not read on it, nor would it read as text on white.
  await api('PUT', '/branding', { colors: { primary: lightBrand } }, token);
  const started = await api(
    'POST',
    '/auth/two-factor/start',
    { password: guarded.password },
    token,
  );
  guarded.secret = started.secret;
  await api(
    'POST',
    '/auth/two-factor/confirm',
    { code: totp(base32Decode(guarded.secret), Date.now()) },
    token,
  );
}

/** The roamer joins the seeded workspace as a new account, then the empty one as that account. */
async function seedRoamer() {
  for (const [who, role] of [
    [tenant, 'agent'],
    [newcomer, 'viewer'],
  ] as const) {
    await api('POST', '/users', { email: roamer.email, role }, who.token);
    const token = tokenOf(lastMailTo(world.t.sb, roamer.email, 'invitation'), 'invite');
    await api('POST', '/auth/accept-invite', { token, password: roamer.password }, '');
  }
}

async function seedReplay() {
  const to = new Date(Date.now() + 60_000).toISOString();
  const from = new Date(Date.now() - 3_600_000).toISOString();
  await api('POST', '/admin/replays', { tenantId: tenant.id, from, to }, world.t.adminToken);
}

/** The seeded workspace's owner and the empty one's, for signing in. */
export async function seedAccessibilityWorld(
  w: WebWorld,
): Promise<{ owner: OwnerTenant; newcomer: OwnerTenant }> {
  world = w;
  tenant = await ownerTenant(world, 'Helena Flores');
  newcomer = await ownerTenant(world, 'Ateliê Novo');
  await seedThread();
  await seedInstagram();
  await seedWorkspace();
  await seedWorkspaceTools();
  await seedChannelClaim();
  await seedTwoFactorOwner();
  await seedRoamer();
  await seedReplay();
  return { owner: tenant, newcomer };
}

/** The authenticator's code for the two-factor owner, `stepsAhead` 30-second steps from now. */
export function guardedCode(stepsAhead: number): string {
  return totp(base32Decode(guarded.secret), Date.now() + stepsAhead * 30_000);
}
