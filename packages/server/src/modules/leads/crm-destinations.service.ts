import type { CreateCrmDestinationRequest } from '@switchboard/contracts';
import type { TenantData } from '../../engine/data/tenant-data';
import { AppError } from '../../engine/errors';
import { randomId } from '../../engine/ids';
import type { TokenCipher } from '../../engine/security/token-cipher';
import { secretContext, type CrmSettings } from './crm-connectors';
import type { CrmDestination } from './crm-destination.repo';
import { checkDestinationUrl, UnsafeDestinationError } from './safe-http';
import { newWebhookSecret } from './standard-webhooks';

// Where a workspace's leads are pushed: at most a few destinations, webhook URLs that pass the
// SSRF guard, credentials encrypted at rest and never shown back.

const MAX_DESTINATIONS = 5;

export type CreatedDestination = {
  destination: CrmDestination;
  /** A webhook's Standard Webhooks signing secret: returned this once. */
  signingSecret?: string;
};

export async function createCrmDestination(
  deps: { data: TenantData; cipher: TokenCipher; crm: CrmSettings; now: Date },
  input: CreateCrmDestinationRequest,
): Promise<CreatedDestination> {
  const { data } = deps;
  if ((await data.crmDestinations.list()).length >= MAX_DESTINATIONS) {
    throw new AppError('conflict', `A workspace has at most ${MAX_DESTINATIONS} CRM destinations.`);
  }
  if (input.type === 'webhook') {
    try {
      checkDestinationUrl(input.url, deps.crm);
    } catch (err) {
      if (err instanceof UnsafeDestinationError) {
        throw new AppError('unsafe_destination', err.message, { fields: { url: err.message } });
      }
      throw err;
    }
  }
  const id = randomId('crm');
  const secret = input.type === 'webhook' ? newWebhookSecret() : input.accessToken;
  const destination: CrmDestination = {
    id,
    type: input.type,
    name: input.name,
    url: input.type === 'webhook' ? input.url : undefined,
    enabled: true,
    createdAt: deps.now.toISOString(),
  };
  await data.crmDestinations.create({
    ...destination,
    encryptedSecret: await deps.cipher.encrypt(secret, secretContext(data.tenantId, id)),
  });
  // HubSpot tokens are never shown back.
  return { destination, signingSecret: input.type === 'webhook' ? secret : undefined };
}
