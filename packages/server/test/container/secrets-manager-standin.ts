import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// Secrets Manager's JSON 1.1 protocol on 127.0.0.1, for the two calls the AWS adapters make
// (GetSecretValue, PutSecretValue) with the real service's rules: the AWSCURRENT version is read,
// a put makes a new AWSCURRENT version, and a put whose ClientRequestToken names an existing
// version is idempotent with the same value and a ResourceExistsException with another.

type Version = { id: string; value: string };
type Secret = { arn: string; name: string; versions: Version[] };

export type SecretsManagerStandIn = {
  endpoint: string;
  /** The ARN of a secret created with this value (the stack creates every secret). */
  create(name: string, value: string): string;
  current(arn: string): string | undefined;
  calls: string[];
  close(): Promise<void>;
};

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}

export async function startSecretsManagerStandIn(): Promise<SecretsManagerStandIn> {
  const secrets = new Map<string, Secret>();
  const calls: string[] = [];
  const find = (id: unknown) =>
    typeof id === 'string'
      ? [...secrets.values()].find((s) => s.arn === id || s.name === id)
      : undefined;

  const server: Server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const reply = (status: number, body: unknown, errorType?: string) => {
        res.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': randomUUID(),
          ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
        });
        res.end(JSON.stringify(body));
      };
      const fail = (type: string, message: string) => reply(400, { __type: type, message }, type);
      const target = String(req.headers['x-amz-target'] ?? '');
      if (req.method !== 'POST' || !target.startsWith('secretsmanager.')) {
        return fail('UnknownOperationException', 'not a Secrets Manager call');
      }
      if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
        return fail('MissingAuthenticationTokenException', 'the request is not signed');
      }
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return fail('SerializationException', 'the body is not JSON');
      }
      const operation = target.slice('secretsmanager.'.length);
      calls.push(operation);
      const secret = find(input.SecretId);
      if (!secret) {
        return fail(
          'ResourceNotFoundException',
          "Secrets Manager can't find the specified secret.",
        );
      }
      const current = secret.versions.at(-1)!;
      if (operation === 'GetSecretValue') {
        return reply(200, {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: current.id,
          SecretString: current.value,
          VersionStages: ['AWSCURRENT'],
          CreatedDate: Date.now() / 1000,
        });
      }
      if (operation === 'PutSecretValue') {
        const value = input.SecretString;
        if (typeof value !== 'string') return fail('InvalidParameterException', 'SecretString');
        const token =
          typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : randomUUID();
        const existing = secret.versions.find((v) => v.id === token);
        if (existing && existing.value !== value) {
          return fail('ResourceExistsException', 'A version with this token already exists.');
        }
        if (!existing) secret.versions.push({ id: token, value });
        return reply(200, {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: token,
          VersionStages: ['AWSCURRENT'],
        });
      }
      return fail('UnknownOperationException', `${operation} is not served by this stand-in`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    create(name, value) {
      const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-${randomUUID().slice(0, 6)}`;
      secrets.set(arn, { arn, name, versions: [{ id: randomUUID(), value }] });
      return arn;
    },
    current: (arn) => secrets.get(arn)?.versions.at(-1)?.value,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
