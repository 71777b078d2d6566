import { z } from 'zod';
import { defineRoutes } from '../route-contract';
import { MiB } from './common';

const metaEnvelopeSchema = z
  .object({ object: z.string(), entry: z.array(z.record(z.string(), z.unknown())) })
  .describe('A Meta webhook delivery (WhatsApp Cloud API or Instagram messaging).');

export const webhookRoutes = defineRoutes({
  'webhook.verify': {
    method: 'GET',
    path: '/webhooks/meta',
    access: { kind: 'public' },
    tag: 'Meta webhooks',
    summary: 'Answer Meta’s subscription check',
    description:
      'Meta calls this when the webhook is configured; the challenge is echoed as plain text when the verify token matches.',
    // Read as Meta sends it (the handler compares the token in constant time).
    query: z.object({
      'hub.mode': z.string().max(64).optional(),
      'hub.verify_token': z.string().max(1024).optional(),
      'hub.challenge': z.string().max(1024).optional(),
    }),
    responses: { 200: { description: 'The challenge, as text/plain.', contentType: 'text/plain' } },
    errors: ['forbidden', 'bad_request'],
  },
  'webhook.receive': {
    method: 'POST',
    path: '/webhooks/meta',
    access: { kind: 'signature' },
    tag: 'Meta webhooks',
    summary: 'Receive a Meta webhook delivery',
    description:
      'Verified with X-Hub-Signature-256 (HMAC-SHA256 of the raw bytes with the app secret) before parsing; answered 200 only once the delivery is durably queued.',
    headers: [
      {
        name: 'X-Hub-Signature-256',
        required: true,
        description: '`sha256=<hex HMAC>` of the body.',
      },
    ],
    // The signature covers the exact bytes: the handler checks it before it parses anything.
    rawBody: { contentType: 'application/json', schema: metaEnvelopeSchema },
    maxBodyBytes: 4 * MiB,
    responses: { 200: { description: '`EVENT_RECEIVED`', contentType: 'text/plain' } },
    errors: ['not_a_meta_envelope', 'internal_error'],
  },
});
