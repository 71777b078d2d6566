import type { Logger } from '../../../../engine/log';
import { hubSignature, metaJson } from './meta-json';

// Status webhooks exactly as Meta sends them, and the poster that signs and delivers them to the
// sandbox's own `/webhooks/meta` (retrying a few times, as Meta does for days).

export type WaStatus = 'sent' | 'delivered' | 'read' | 'failed';

export type WaStatusInput = {
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
  wamid: string;
  recipientId: string;
  status: WaStatus;
  /** Unix seconds. */
  timestamp: number;
  /** Pricing category: `service` for replies in the window, `utility`/`marketing` for templates. */
  category: string;
  conversationId: string;
  errors?: { code: number; title: string; message: string; details: string }[];
};

/** A WhatsApp `statuses` webhook (field `messages`), one status. */
export function waStatusWebhook(s: WaStatusInput): Record<string, unknown> {
  const billable = s.status === 'sent' || s.status === 'delivered';
  const status: Record<string, unknown> = {
    id: s.wamid,
    status: s.status,
    timestamp: String(s.timestamp),
    recipient_id: s.recipientId,
  };
  if (billable) {
    status.conversation = {
      id: s.conversationId,
      ...(s.status === 'sent' ? { expiration_timestamp: String(s.timestamp + 86_400) } : {}),
      origin: { type: s.category },
    };
    status.pricing = {
      billable: true,
      pricing_model: 'PMP',
      category: s.category,
      type: s.category === 'service' ? 'free_customer_service' : 'regular',
    };
  }
  if (s.errors) {
    status.errors = s.errors.map((e) => ({
      code: e.code,
      title: e.title,
      message: e.message,
      error_data: { details: e.details },
      href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
    }));
  }
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: s.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: s.displayPhoneNumber,
                phone_number_id: s.phoneNumberId,
              },
              statuses: [status],
            },
          },
        ],
      },
    ],
  };
}

/** An Instagram `messaging_seen` (read) webhook: the customer read our message `mid`. */
export function igReadWebhook(input: {
  accountId: string;
  customerId: string;
  mid: string;
  timestampMs: number;
}): Record<string, unknown> {
  return {
    object: 'instagram',
    entry: [
      {
        time: input.timestampMs + 350,
        id: input.accountId,
        messaging: [
          {
            sender: { id: input.customerId },
            recipient: { id: input.accountId },
            timestamp: input.timestampMs,
            read: { mid: input.mid },
          },
        ],
      },
    ],
  };
}

export class WebhookPoster {
  private url: string | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly appSecret: string,
    private readonly log: Logger,
    url?: string,
  ) {
    this.url = url;
  }

  setUrl(url: string): void {
    this.url = url;
  }

  /** Signs and posts one delivery; retried up to 5 times (Meta keeps trying for days). */
  post(payload: Record<string, unknown>): Promise<void> {
    const raw = metaJson(payload);
    const signature = hubSignature(raw, this.appSecret);
    const attempt = async (): Promise<void> => {
      for (let tryNo = 1; tryNo <= 5 && !this.stopped; tryNo++) {
        if (!this.url) {
          this.log.warn('meta stand-in has no webhook URL; status dropped');
          return;
        }
        try {
          const res = await fetch(this.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
            body: raw,
            signal: AbortSignal.timeout(5_000),
          });
          await res.arrayBuffer();
          if (res.ok) return;
        } catch {
          // retried below
        }
        await new Promise((resolve) => setTimeout(resolve, 200 * tryNo));
      }
      if (!this.stopped) this.log.warn('meta stand-in gave up delivering a webhook');
    };
    const delivery = attempt().finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
    return delivery;
  }

  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }
}
