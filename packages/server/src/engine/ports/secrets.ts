/** Named secrets: Secrets Manager in AWS, files under the data dir (0600) in the sandbox. */
export type SecretName =
  | 'metaAppSecret'
  | 'metaVerifyToken'
  | 'jwtSigningKeys'
  | 'channelTokenKey'
  | 'adminPassword'
  // Seals page cursors to their query (engine/http/cursor.ts).
  | 'cursorKey'
  // Signs tenant asset URLs: the sandbox's HMAC key, or CloudFront's RSA private key (PEM) in AWS.
  | 'assetsSigningKey';

export type SecretStore = {
  /** Returns the secret, creating it with `generate` the first time when the store may do so. */
  get(name: SecretName, generate: () => string): Promise<string>;
};

/** A store that can also replace a secret's value (signing-key rotation). */
export type WritableSecretStore = SecretStore & {
  put(name: SecretName, value: string): Promise<void>;
};
