import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { pendingSecretKey, type SecretName } from './server';

type StoredSecret = Exclude<SecretName, 'channelTokenKey'>;

/** How each secret gets its first value. Exhaustive: a new secret name must be decided here. */
const initialValue: Record<StoredSecret, { description: string; filledByApp?: true }> = {
  metaAppSecret: {
    description: 'Meta app secret (X-Hub-Signature-256). Random until you put the real one.',
  },
  metaVerifyToken: {
    description: 'Meta webhook verify token. Generated; paste it into the Meta app dashboard.',
  },
  jwtSigningKeys: {
    description: 'ES256 JWT signing key set. Filled in by the first function that reads it.',
    filledByApp: true,
  },
  adminPassword: {
    description: 'Platform admin password. Generated; read it here for the first sign-in.',
  },
  cursorKey: {
    description:
      'HMAC key sealing page cursors to their query. Generated; rotating it only ends open pagings.',
  },
  assetsSigningKey: {
    description:
      'RSA private key (PEM) signing tenant asset URLs; put yours, its public half is the assetsSigningPublicKey context value. Random (unusable) until then.',
  },
};

/**
 * The Secrets Manager entries, encrypted with the secrets CMK. Every value starts random, so no
 * secret is ever guessable: the Meta app secret included, until the operator sets Meta's value.
 */
export class Secrets extends Construct {
  readonly byName = new Map<StoredSecret, Secret>();
  /** Secrets the app writes once (their first reader needs PutSecretValue). */
  readonly filledByApp = new Set<SecretName>();

  constructor(scope: Construct, id: string, props: { key: IKey }) {
    super(scope, id);
    const prefix = Stack.of(this).stackName;
    for (const [name, spec] of Object.entries(initialValue) as [
      StoredSecret,
      (typeof initialValue)[StoredSecret],
    ][]) {
      const secret = new Secret(this, name, {
        secretName: `${prefix}/${name}`,
        description: spec.description,
        encryptionKey: props.key,
        removalPolicy: RemovalPolicy.RETAIN,
        generateSecretString: spec.filledByApp
          ? // A JSON marker the SecretsManagerStore recognises as "not filled in yet".
            { secretStringTemplate: '{}', generateStringKey: pendingSecretKey }
          : { passwordLength: 40, excludePunctuation: true },
      });
      this.byName.set(name, secret);
      if (spec.filledByApp) this.filledByApp.add(name);
    }
  }

  get(name: SecretName): Secret {
    const secret = name === 'channelTokenKey' ? undefined : this.byName.get(name);
    if (!secret) throw new Error(`no Secrets Manager entry for ${name}`);
    return secret;
  }
}
