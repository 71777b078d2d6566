import { ResourceExistsException } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import type { BlobStore } from '../ports/blobs';
import { mediaKeyPattern } from '../../modules/messaging/media/media-keys';
import { awsRuntime } from './deps';
import { envNames } from './env-names';
import { KmsTokenCipher } from './kms-token-cipher';
import { prefixRoutedBlobs, S3BlobStore } from './s3-blobs';
import { SecretsManagerStore } from './secrets-manager';
import { SqsDeadLetterAdmin } from './sqs-dlq-admin';
import { QueueSendError, SqsQueueSender } from './sqs-queue';
import { NotGrantedError, unavailable } from './unavailable';

// The AWS adapters against fake SDK clients: what they send, and how they read the answers.

type Sent = { name: string; input: any };
function fakeClient(answer: (name: string, input: any) => unknown) {
  const sent: Sent[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: unknown }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      sent.push({ name, input: command.input });
      return answer(name, command.input);
    },
  };
  return { client: client as any, sent };
}

describe('SqsQueueSender', () => {
  it('sends one SendMessageBatch and returns ids in input order', async () => {
    const { client, sent } = fakeClient(() => ({
      Successful: [
        { Id: '1', MessageId: 'm-b' },
        { Id: '0', MessageId: 'm-a' },
      ],
    }));
    const ids = await new SqsQueueSender(client, 'https://q').sendBatch([
      { body: 'a', attributes: { object: 'whatsapp_business_account' } },
      { body: 'b' },
    ]);
    expect(ids).toEqual([{ messageId: 'm-a' }, { messageId: 'm-b' }]);
    expect(sent[0]!.input.Entries[0].MessageAttributes).toEqual({
      object: { DataType: 'String', StringValue: 'whatsapp_business_account' },
    });
  });

  it('throws when SQS failed any entry, so the webhook is not acknowledged', async () => {
    const { client } = fakeClient(() => ({
      Successful: [{ Id: '0', MessageId: 'm-a' }],
      Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }],
    }));
    await expect(
      new SqsQueueSender(client, 'https://q').sendBatch([{ body: 'a' }, { body: 'b' }]),
    ).rejects.toBeInstanceOf(QueueSendError);
  });
});

describe('SecretsManagerStore', () => {
  it('returns a stored value without writing', async () => {
    const { client, sent } = fakeClient(() => ({ SecretString: 's3cret', VersionId: 'v1' }));
    const store = new SecretsManagerStore(client, { metaAppSecret: 'arn:1' });
    expect(await store.get('metaAppSecret', () => 'unused')).toBe('s3cret');
    expect(sent.map((s) => s.name)).toEqual(['GetSecretValue']);
  });

  it('fills a pending secret once, keyed on the pending version, and keeps the winner on a race', async () => {
    let current = {
      SecretString: '{"switchboardPendingInitialisation":"x"}',
      VersionId: 'v-pending',
    };
    const { client, sent } = fakeClient((name, input) => {
      if (name === 'GetSecretValue') return current;
      // Another cold start won the race with the same token.
      current = { SecretString: 'winner', VersionId: 'v2' };
      expect(input.ClientRequestToken).toBe('init-v-pending');
      throw new ResourceExistsException({ message: 'exists', $metadata: {} });
    });
    const store = new SecretsManagerStore(client, { jwtSigningKeys: 'arn:k' });
    expect(await store.get('jwtSigningKeys', () => 'mine')).toBe('winner');
    expect(sent.map((s) => s.name)).toEqual(['GetSecretValue', 'PutSecretValue', 'GetSecretValue']);
  });

  it('refuses a secret the function was not granted', async () => {
    const { client } = fakeClient(() => ({}));
    await expect(
      new SecretsManagerStore(client, {}).get('adminPassword', () => 'x'),
    ).rejects.toThrow(/not granted/);
  });
});

describe('KmsTokenCipher', () => {
  it('binds the context and pins the key on both calls', async () => {
    const { client, sent } = fakeClient((name, input) =>
      name === 'Encrypt'
        ? {
            CiphertextBlob: Buffer.concat([
              Buffer.from(JSON.stringify(input.EncryptionContext)),
              Buffer.from(input.Plaintext),
            ]),
          }
        : {
            Plaintext: Buffer.from(input.CiphertextBlob).subarray(
              JSON.stringify(input.EncryptionContext).length,
            ),
          },
    );
    const cipher = new KmsTokenCipher(client, 'arn:key');
    const sealed = await cipher.encrypt('EAAG-token', { tenantId: 't1' });
    expect(sealed.startsWith('kms1.')).toBe(true);
    expect(await cipher.decrypt(sealed, { tenantId: 't1' })).toBe('EAAG-token');
    expect(sent.map((s) => [s.name, s.input.KeyId, s.input.EncryptionContext])).toEqual([
      ['Encrypt', 'arn:key', { tenantId: 't1' }],
      ['Decrypt', 'arn:key', { tenantId: 't1' }],
    ]);
  });
});

describe('SqsDeadLetterAdmin', () => {
  const queues = { dlqUrl: 'dlq', dlqArn: 'arn:dlq', sourceUrl: 'src', sourceArn: 'arn:src' };
  const message = (id: string) => ({
    MessageId: id,
    ReceiptHandle: `rh-${id}`,
    Body: `body-${id}`,
    Attributes: { ApproximateReceiveCount: '5', SentTimestamp: '1700000000000' },
  });

  it('peeks without hiding messages and stops when nothing new arrives', async () => {
    const { client, sent } = fakeClient(() => ({ Messages: [message('a'), message('b')] }));
    const items = await new SqsDeadLetterAdmin(client, queues).list(10);
    expect(items.map((i) => i.id)).toEqual(['a', 'b']);
    expect(items[0]).toMatchObject({ body: 'body-a', receiveCount: 5 });
    expect(sent.every((s) => s.input.VisibilityTimeout === 0)).toBe(true);
  });

  it('moves named messages (send, then delete) and releases the rest at once', async () => {
    let round = 0;
    const { client, sent } = fakeClient((name) =>
      name === 'ReceiveMessage'
        ? { Messages: round++ === 0 ? [message('a'), message('b')] : [] }
        : {},
    );
    expect(await new SqsDeadLetterAdmin(client, queues).redrive(['b'])).toBe(1);
    const names = sent.map((s) => s.name);
    expect(names.indexOf('SendMessage')).toBeLessThan(names.indexOf('DeleteMessage'));
    expect(sent.find((s) => s.name === 'SendMessage')!.input).toMatchObject({
      QueueUrl: 'src',
      MessageBody: 'body-b',
    });
    expect(sent.find((s) => s.name === 'ChangeMessageVisibilityBatch')!.input.Entries).toEqual([
      { Id: '0', ReceiptHandle: 'rh-a', VisibilityTimeout: 0 },
    ]);
  });

  it('redrives everything with an SQS message move task', async () => {
    const { client, sent } = fakeClient((name) =>
      name === 'GetQueueAttributes' ? { Attributes: { ApproximateNumberOfMessages: '7' } } : {},
    );
    expect(await new SqsDeadLetterAdmin(client, queues).redrive()).toBe(7);
    expect(sent[1]).toEqual({
      name: 'StartMessageMoveTask',
      input: { SourceArn: 'arn:dlq', DestinationArn: 'arn:src' },
    });
  });
});

describe('S3BlobStore', () => {
  it('stores the put options as the object’s headers and reads them back', async () => {
    const { client, sent } = fakeClient((name) =>
      name === 'GetObject'
        ? {
            Body: { transformToByteArray: async () => new Uint8Array([1, 2]) },
            ContentType: 'application/pdf',
            ContentDisposition: 'attachment; filename="a.pdf"',
            CacheControl: 'private, max-age=60',
          }
        : {},
    );
    const blobs = new S3BlobStore(client, 'media-bucket');
    await blobs.put('tenants/t1/media/med_1/a.pdf', 'x', 'application/pdf', {
      contentDisposition: 'attachment; filename="a.pdf"',
      cacheControl: 'private, max-age=60',
    });
    await blobs.put('tenants/t1/logo.png', 'x', 'image/png');
    expect(sent.map((s) => s.input)).toEqual([
      {
        Bucket: 'media-bucket',
        Key: 'tenants/t1/media/med_1/a.pdf',
        Body: 'x',
        ContentType: 'application/pdf',
        ContentDisposition: 'attachment; filename="a.pdf"',
        CacheControl: 'private, max-age=60',
      },
      { Bucket: 'media-bucket', Key: 'tenants/t1/logo.png', Body: 'x', ContentType: 'image/png' },
    ]);
    expect(await blobs.get('tenants/t1/media/med_1/a.pdf')).toEqual({
      body: new Uint8Array([1, 2]),
      contentType: 'application/pdf',
      contentDisposition: 'attachment; filename="a.pdf"',
      cacheControl: 'private, max-age=60',
    });
  });
});

describe('composition', () => {
  it('routes raw webhooks to the archive, media keys to the media store and the rest to assets', async () => {
    const seen: string[] = [];
    const store = (name: string): BlobStore => ({
      put: async (key, _body, _type, opts) =>
        void seen.push(
          `${name}:${key}${opts?.contentDisposition ? ` (${opts.contentDisposition})` : ''}`,
        ),
      get: async () => undefined,
    });
    const blobs = prefixRoutedBlobs(
      [
        { prefix: 'webhooks/raw/', store: store('archive') },
        { pattern: mediaKeyPattern, store: store('media') },
      ],
      store('assets'),
    );
    await blobs.put('webhooks/raw/2026-01-01/abc.json', 'x', 'application/json');
    await blobs.put('tenants/t1/logo.png', 'x', 'image/png');
    await blobs.put('tenants/t1/media/med_1/a.pdf', 'x', 'application/pdf', {
      contentDisposition: 'attachment',
    });
    // Only a whole `media/` segment right under a tenant is media.
    await blobs.put('tenants/t1/forms/media/x.json', 'x', 'application/json');
    expect(seen).toEqual([
      'archive:webhooks/raw/2026-01-01/abc.json',
      'assets:tenants/t1/logo.png',
      'media:tenants/t1/media/med_1/a.pdf (attachment)',
      'assets:tenants/t1/forms/media/x.json',
    ]);
  });

  it('refuses media keys to a function without the media bucket, and MediaQueue to one not sending to it', async () => {
    const runtime = awsRuntime('MessageProcessor', {
      AWS_REGION: 'us-east-1',
      [envNames.assetsBucket]: 'assets-bucket',
    });
    await expect(
      runtime.blobs.put('tenants/t1/media/med_1/a.jpg', 'x', 'image/jpeg'),
    ).rejects.toThrow(NotGrantedError);
    expect(() => runtime.mediaQueue.sendBatch([])).toThrow(NotGrantedError);
  });

  it('turns everything the environment does not grant into stand-ins that throw on use', async () => {
    const runtime = awsRuntime('WebhookReceiver', { AWS_REGION: 'us-east-1' });
    await expect(runtime.blobs.put('webhooks/raw/x', 'x', 'text/plain')).rejects.toThrow(
      NotGrantedError,
    );
    expect(() => runtime.db.get({ PK: 'a', SK: 'b' })).toThrow(NotGrantedError);
    expect(() => runtime.cipher.encrypt('x', {})).toThrow(NotGrantedError);
    // Awaiting a stand-in is harmless: it is not a thenable.
    expect(await Promise.resolve(unavailable<object>('thing'))).toBeDefined();
  });

  it('gives tenants their own Db only when the tenant role is granted', () => {
    expect(
      awsRuntime('Api', { AWS_REGION: 'us-east-1', TABLE_NAME: 'T' }).tenantDb,
    ).toBeUndefined();
    const runtime = awsRuntime('Api', {
      AWS_REGION: 'us-east-1',
      TABLE_NAME: 'T',
      TENANT_DATA_ROLE_ARN: 'arn:aws:iam::123456789012:role/TenantDataAccessRole',
    });
    const tenantDb = runtime.tenantDb!;
    expect(tenantDb('t1')).toBe(tenantDb('t1'));
    expect(tenantDb('t1')).not.toBe(tenantDb('t2'));
    expect(tenantDb('t1')).not.toBe(runtime.db);
    expect(tenantDb('t1').tableName).toBe('T');
  });
});
