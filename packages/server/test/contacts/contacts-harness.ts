import type { LiveEvent } from '@switchboard/contracts';
import { createTenant, type TestSandbox } from '../helpers/harness';
import {
  newMetaId,
  startOutboundSandbox,
  type IgTenant,
  type WaTenant,
} from '../outbound/outbound-harness';

// One sandbox for the contacts tests: a workspace with a WhatsApp number and an Instagram
// account (so one person can write on both), and every workspace event recorded.

export type ContactsWorld = {
  t: TestSandbox;
  /** The same workspace seen as its WhatsApp and its Instagram channel. */
  wa: WaTenant;
  ig: IgTenant;
  events: { tenantId: string; event: LiveEvent }[];
};

export async function startContactsWorld(): Promise<ContactsWorld> {
  const t = await startOutboundSandbox();
  const events: ContactsWorld['events'] = [];
  t.sb.events.add({
    name: 'contacts-test-recorder',
    deliver: async (tenantId, event) => void events.push({ tenantId, event }),
  });
  const { wa, ig } = await bothChannelsTenant(t);
  return { t, wa, ig, events };
}

export async function bothChannelsTenant(t: TestSandbox): Promise<{ wa: WaTenant; ig: IgTenant }> {
  const wabaId = newMetaId();
  const phoneNumberId = newMetaId();
  const accountId = newMetaId();
  const tenant = await createTenant(t.api, t.adminToken, [
    { type: 'whatsapp', wabaId, phoneNumberId },
    { type: 'instagram', accountId },
  ]);
  return {
    wa: { ...tenant, wabaId, phoneNumberId, channelId: tenant.channelIds[0]! },
    ig: { ...tenant, accountId, channelId: tenant.channelIds[1]! },
  };
}

export async function setDefaultCountry(t: TestSandbox, token: string, country: string) {
  const res = await t.api.request('PUT', '/branding', { token, body: { defaultCountry: country } });
  if (res.status !== 200) throw new Error(`branding failed: ${res.status} ${res.text}`);
}
