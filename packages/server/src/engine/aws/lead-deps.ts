import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { defaultHubspotBaseUrl } from '../../modules/leads/crm-connectors';
import type { LeadDeps } from '../../modules/leads/lead-deps';
import { lazy } from '../lazy';
import type { AssetUrlSigner } from '../ports/asset-urls';
import type { EventBus } from '../ports/bus';
import type { SecretStore } from '../ports/secrets';
import { CloudFrontSigner } from './cloudfront-signer';
import { envNames } from './env-names';
import { EventBridgeBus } from './eventbridge-bus';
import { unavailable } from './unavailable';

type Env = Record<string, string | undefined>;

/** Optional: HubSpot's API root (default api.hubapi.com), for a regional or proxied endpoint. */
export const hubspotBaseUrlEnv = 'HUBSPOT_BASE_URL';

export function awsEventBus(env: Env): EventBus {
  const busName = env[envNames.eventBusName];
  return busName
    ? new EventBridgeBus(new EventBridgeClient({}), busName)
    : unavailable<EventBus>('The event bus');
}

/** The leads deps of a function, from its environment: what topology.ts granted it. */
export function awsLeadDeps(secrets: SecretStore, env: Env): LeadDeps {
  const domainName = env[envNames.assetsCdnDomain];
  const keyPairId = env[envNames.assetsKeyPairId];
  const never = () => {
    throw new Error('the CloudFront signing key is put in Secrets Manager by the operator');
  };
  const assets =
    domainName && keyPairId && env[envNames.secretArn('assetsSigningKey')]
      ? new CloudFrontSigner({
          domainName,
          keyPairId,
          privateKey: lazy(() => secrets.get('assetsSigningKey', never)),
        })
      : unavailable<AssetUrlSigner>('Asset URL signing');
  return {
    bus: awsEventBus(env),
    assets,
    // Deployed: https and public addresses only.
    crm: { allowLoopback: false, hubspotBaseUrl: env[hubspotBaseUrlEnv] ?? defaultHubspotBaseUrl },
    hostedFormOrigin: env[envNames.webOrigin],
    // Behind API Gateway the request URL lacks the stage: links must use the public base URL.
    publicApiUrl: env[envNames.publicApiUrl],
    // Published form configs: the assets distribution's unsigned `public/forms/*` behavior.
    formConfigBaseUrl: domainName ? `https://${domainName}` : undefined,
  };
}
