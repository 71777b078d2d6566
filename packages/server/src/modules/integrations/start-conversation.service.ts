import type { StartConversationRequest, SendMessageResponse } from '@switchboard/contracts';
import type { TenantData } from '../../engine/data/tenant-data';
import type { Reservation } from '../../engine/data/idempotent-request';
import { AppError, NotFoundError } from '../../engine/errors';
import { toE164 } from '../leads/phone';
import type { OutboundDeps } from '../messaging/outbound-deps';
import { sendMessage, type SentBy } from '../messaging/send-message.service';

// `POST /conversations`: write first, with an approved WhatsApp template, to a phone number or a
// contact. The contact is found or created under the id WhatsApp would give the number
// (`wa-<digits>`), so the person's reply lands in this same conversation; the template goes out
// through the one send path (send-message.service.ts: checks, pending message, Meta, statuses).

/** The contact to write to: the request's, or the one the phone number is (created if new). */
export async function recipientCustomer(
  data: TenantData,
  request: Pick<StartConversationRequest, 'to' | 'customerId'>,
  now: Date,
): Promise<string> {
  if (request.customerId) {
    if (!(await data.customers.get(request.customerId))) throw new NotFoundError('Customer');
    return request.customerId;
  }
  const { defaultCountry } = await data.branding.get();
  const phone = toE164(request.to ?? '', defaultCountry);
  if (!phone.ok) {
    throw new AppError('validation_failed', 'The phone number is not one that exists.', {
      fields: {
        to: defaultCountry
          ? 'Enter a phone number that exists, with its country code if it is from abroad.'
          : 'Enter the number with its country code, like +1 650 555 1234.',
      },
    });
  }
  // The same record the person's first WhatsApp message would create (customer.repo.ts).
  return data.customers.upsertFromInbound(
    { channel: 'whatsapp', externalId: phone.e164.slice(1) },
    { phone: phone.e164 },
    now.toISOString(),
  );
}

export async function startConversation(
  deps: OutboundDeps,
  data: TenantData,
  request: StartConversationRequest,
  sentBy: SentBy | undefined,
  reservation: Reservation,
): Promise<SendMessageResponse> {
  const channel = await data.channels.get(request.channelId);
  if (!channel) throw new NotFoundError('Channel');
  if (channel.type !== 'whatsapp') {
    throw new AppError(
      'invalid_parameter',
      'Conversations are started with a WhatsApp template: choose a WhatsApp channel.',
      { param: 'channelId' },
    );
  }
  const customerId = await recipientCustomer(data, request, deps.now());
  return sendMessage(
    deps,
    data,
    { customerId, channel: 'whatsapp', channelId: channel.id, template: request.template },
    sentBy,
    reservation,
  );
}
