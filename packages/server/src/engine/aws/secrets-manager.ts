import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretName, WritableSecretStore } from '../ports/secrets';
import { pendingSecretKey } from './env-names';

/** Raised when a function asks for a secret the stack did not grant it. */
export class SecretNotGrantedError extends Error {
  override readonly name = 'SecretNotGrantedError';
}

function isPending(value: string): boolean {
  if (!value.includes(pendingSecretKey)) return false;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && pendingSecretKey in parsed;
  } catch {
    return false;
  }
}

/**
 * SecretStore over Secrets Manager. The stack creates every secret. Nothing is cached here: callers
 * decide how long a value lives (the token service re-reads the key set so rotations reach every
 * instance). A secret the stack marked pending (one AWS cannot generate, like the JWT key set) is
 * filled in by the first reader with `generate`: the put is keyed on the pending version, so when
 * cold starts race exactly one value wins and every reader ends up with it.
 */
export class SecretsManagerStore implements WritableSecretStore {
  constructor(
    private readonly client: Pick<SecretsManagerClient, 'send'>,
    private readonly arns: Partial<Record<SecretName, string>>,
  ) {}

  async get(name: SecretName, generate: () => string): Promise<string> {
    const secretId = this.secretId(name);
    const current = await this.read(secretId);
    if (!isPending(current.value)) return current.value;
    try {
      await this.client.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          SecretString: generate(),
          // Same token for every racer: Secrets Manager keeps the first value and rejects the rest.
          ClientRequestToken: `init-${current.versionId}`.slice(0, 64),
        }),
      );
    } catch (err) {
      if (!(err instanceof ResourceExistsException)) throw err;
    }
    const filled = await this.read(secretId);
    if (isPending(filled.value)) throw new Error(`secret ${name} is still pending`);
    return filled.value;
  }

  /** A new version becomes AWSCURRENT; readers see it on their next read. */
  async put(name: SecretName, value: string): Promise<void> {
    await this.client.send(
      new PutSecretValueCommand({ SecretId: this.secretId(name), SecretString: value }),
    );
  }

  private secretId(name: SecretName): string {
    const arn = this.arns[name];
    if (!arn) throw new SecretNotGrantedError(`secret ${name} is not granted to this function`);
    return arn;
  }

  private async read(secretId: string): Promise<{ value: string; versionId: string }> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (out.SecretString === undefined || !out.VersionId) {
      throw new Error('the secret has no string value');
    }
    return { value: out.SecretString, versionId: out.VersionId };
  }
}
