import { Duration, Names, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import type { CfnUserPoolClient, UserPoolClient, UserPoolDomain } from 'aws-cdk-lib/aws-cognito';
import {
  AccountRecovery,
  Mfa,
  OAuthScope,
  UserPool,
  UserPoolClientIdentityProvider,
} from 'aws-cdk-lib/aws-cognito';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { PlatformSsoConfig, SsoMfa } from './config';

export type PlatformSsoProps = {
  config: PlatformSsoConfig;
  /** The API's `/auth/sso/callback`, with its stage: the app client's only redirect URI. */
  callbackUrl: string;
  /** The secrets CMK: the client secret is a Secrets Manager entry like every other secret. */
  secretsKey: IKey;
};

const cognitoMfa: Record<SsoMfa, Mfa> = {
  off: Mfa.OFF,
  optional: Mfa.OPTIONAL,
  required: Mfa.REQUIRED,
};

/**
 * The platform's identity provider for single sign-on: the seed's Amazon Cognito option (a user
 * pool with e-mail as the username and verified e-mail, TOTP MFA as the context says, its hosted
 * domain, and an app client for the authorization code flow with PKCE calling back to the API),
 * or an external issuer. Either way the functions get the issuer, the client id and the ARN of
 * the Secrets Manager entry holding the client secret (never the secret itself).
 */
export class PlatformSso extends Construct {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: Secret;
  readonly name: string;
  readonly mfa: SsoMfa;
  readonly userPool?: UserPool;
  readonly client?: UserPoolClient;
  readonly domain?: UserPoolDomain;

  constructor(scope: Construct, id: string, props: PlatformSsoProps) {
    super(scope, id);
    const { config } = props;
    const prefix = Stack.of(this).stackName;
    this.name = config.name;
    this.mfa = config.mfa;

    if (config.kind === 'external') {
      this.issuer = config.issuer;
      this.clientId = config.clientId;
      this.clientSecret = new Secret(this, 'ClientSecret', {
        secretName: `${prefix}/ssoClientSecret`,
        description:
          'Client secret of the platform identity provider (single sign-on). Random until you put the one your provider issued.',
        encryptionKey: props.secretsKey,
        removalPolicy: RemovalPolicy.RETAIN,
        generateSecretString: { passwordLength: 40, excludePunctuation: true },
      });
      return;
    }

    const userPool = new UserPool(this, 'UserPool', {
      userPoolName: `${prefix}-users`,
      // Accounts are created by the operator (or an invitation in the app), never by strangers.
      selfSignUpEnabled: false,
      signInAliases: { email: true, username: false },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      mfa: cognitoMfa[config.mfa],
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const domain = userPool.addDomain('HostedDomain', {
      cognitoDomain: {
        domainPrefix:
          config.domainPrefix ??
          `${prefix.toLowerCase().replace(/[^a-z0-9-]/g, '-')}-${Names.uniqueId(this).slice(-8).toLowerCase()}`,
      },
    });
    const client = userPool.addClient('AppClient', {
      userPoolClientName: 'switchboard',
      generateSecret: true,
      // Only the hosted UI's authorization code flow: no password or SRP flows on this client.
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [props.callbackUrl],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.minutes(5),
      accessTokenValidity: Duration.minutes(5),
      refreshTokenValidity: Duration.minutes(60),
    });
    // CloudFormation's own attribute: the secret goes from the client to Secrets Manager without
    // a custom resource, and never appears in the template.
    const generated = (client.node.defaultChild as CfnUserPoolClient).attrClientSecret;
    this.clientSecret = new Secret(this, 'ClientSecret', {
      secretName: `${prefix}/cognitoClientSecret`,
      description: 'Client secret of the Cognito app client (single sign-on), set by the stack.',
      encryptionKey: props.secretsKey,
      removalPolicy: RemovalPolicy.RETAIN,
      secretStringValue: SecretValue.resourceAttribute(generated),
    });
    this.userPool = userPool;
    this.client = client;
    this.domain = domain;
    // The `iss` of the pool's ID tokens. (The ProviderURL attribute lacks the scheme.)
    const { region, urlSuffix } = Stack.of(this);
    this.issuer = `https://cognito-idp.${region}.${urlSuffix}/${userPool.userPoolId}`;
    this.clientId = client.userPoolClientId;
  }
}
