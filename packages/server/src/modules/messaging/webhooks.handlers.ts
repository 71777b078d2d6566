import { receiveWebhook, verifySubscription } from './webhook-receiver.service';
import type { HandlerTable } from '../../engine/http/route-handler';

export const webhookHandlers = {
  'webhook.verify': async ({ c, deps, query }) => {
    const challenge = verifySubscription(query, deps.meta.verifyToken);
    return c.text(challenge, 200);
  },
  'webhook.receive': async ({ c, deps }) => {
    const raw = new Uint8Array(await c.req.arrayBuffer());
    await receiveWebhook(
      {
        appSecret: deps.meta.appSecret,
        verifyToken: deps.meta.verifyToken,
        queue: deps.incomingQueue,
        archive: deps.rawArchive,
        largeBodies: deps.blobs,
      },
      raw,
      c.req.header('x-hub-signature-256'),
    );
    // Meta only needs a 200; the body is for people reading logs.
    return c.text('EVENT_RECEIVED', 200);
  },
} satisfies Partial<HandlerTable>;
