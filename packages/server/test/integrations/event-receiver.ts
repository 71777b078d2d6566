import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../../src/modules/leads/standard-webhooks';

// An integrator's endpoint on 127.0.0.1: verifies every request's Standard Webhooks signature
// with the secret it was given, answers from a script (e.g. 500, 500, then the default), and
// keeps each request in arrival order.

export type ReceivedEvent = {
  id: string;
  status: number;
  verified: boolean;
  body: { type: string; timestamp: string; data: any };
};

export type EventReceiver = {
  url: string;
  received: ReceivedEvent[];
  setSecret(secret: string): void;
  /** The answers to the next requests, in order; then `otherwise` (default 200). */
  script(statuses: number[], otherwise?: number): void;
  /** Verified requests of one type (every attempt, in order). */
  ofType(type: string): ReceivedEvent[];
  close(): Promise<void>;
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startEventReceiver(): Promise<EventReceiver> {
  let secret = '';
  let queue: number[] = [];
  let otherwise = 200;
  const received: ReceivedEvent[] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const verified =
        secret !== '' &&
        verifyWebhook(
          secret,
          {
            'webhook-id': req.headers['webhook-id'] as string | undefined,
            'webhook-timestamp': req.headers['webhook-timestamp'] as string | undefined,
            'webhook-signature': req.headers['webhook-signature'] as string | undefined,
          },
          raw,
          new Date(),
        );
      const status = verified ? (queue.shift() ?? otherwise) : 401;
      received.push({
        id: String(req.headers['webhook-id'] ?? ''),
        status,
        verified,
        body: JSON.parse(raw || 'null'),
      });
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/events`,
    received,
    setSecret: (s) => (secret = s),
    script: (statuses, then = 200) => {
      queue = [...statuses];
      otherwise = then;
    },
    ofType: (type) => received.filter((r) => r.verified && r.body?.type === type),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
