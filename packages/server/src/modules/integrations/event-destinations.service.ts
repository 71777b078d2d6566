import type { IntegrationEventType } from '@switchboard/contracts';
import type { TenantData } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import { randomId } from '../../engine/ids';
import type { TokenCipher } from '../../engine/security/token-cipher';
import {
  checkDestinationUrl,
  UnsafeDestinationError,
  type SafeHttpOptions,
} from '../leads/safe-http';
import { newWebhookSecret } from '../leads/standard-webhooks';
import { withoutSecret, type EventDestination } from './event-destination.repo';
import { postSignedEvent, secretContext, type PostOutcome } from './event-webhook';
import { forgetTenantDestinations } from './integration-events';

// A workspace's event webhooks: a few endpoints, URLs through the SSRF guard, the signing secret
// encrypted at rest and shown once. Any change makes this process's sink read them again.

const MAX_DESTINATIONS = 10;

type Deps = { data: TenantData; cipher: TokenCipher; http: SafeHttpOptions; now: Date };

function checkUrl(url: string, http: SafeHttpOptions): void {
  try {
    checkDestinationUrl(url, http);
  } catch (err) {
    if (err instanceof UnsafeDestinationError) {
      throw new AppError('unsafe_destination', err.message, { fields: { url: err.message } });
    }
    throw err;
  }
}

export async function createEventDestination(
  deps: Deps,
  input: { url: string; events: IntegrationEventType[]; enabled: boolean },
): Promise<{ destination: EventDestination; secret: string }> {
  const { data } = deps;
  if ((await data.eventDestinations.listRecords()).length >= MAX_DESTINATIONS) {
    throw new AppError('conflict', `A workspace has at most ${MAX_DESTINATIONS} event webhooks.`);
  }
  checkUrl(input.url, deps.http);
  const id = randomId('evd');
  const secret = newWebhookSecret();
  const at = deps.now.toISOString();
  const destination: EventDestination = {
    id,
    url: input.url,
    events: input.events,
    enabled: input.enabled,
    createdAt: at,
    updatedAt: at,
  };
  await data.eventDestinations.create({
    ...destination,
    encryptedSecret: await deps.cipher.encrypt(secret, secretContext(data.tenantId, id)),
  });
  forgetTenantDestinations(data.tenantId);
  return { destination, secret };
}

export async function updateEventDestination(
  deps: Deps,
  id: string,
  patch: { url?: string; events?: IntegrationEventType[]; enabled?: boolean },
): Promise<EventDestination> {
  if (patch.url !== undefined) checkUrl(patch.url, deps.http);
  const updated = await deps.data.eventDestinations.update(id, patch, deps.now.toISOString());
  if (!updated) throw new NotFoundError('Event webhook');
  forgetTenantDestinations(deps.data.tenantId);
  return withoutSecret(updated);
}

export async function removeEventDestination(data: TenantData, id: string): Promise<void> {
  if (!(await data.eventDestinations.remove(id))) throw new NotFoundError('Event webhook');
  forgetTenantDestinations(data.tenantId);
}

/** A signed `switchboard.test` event, now, whatever the destination subscribes to. */
export async function testEventDestination(deps: Deps, id: string): Promise<PostOutcome> {
  const destination = await deps.data.eventDestinations.get(id);
  if (!destination) throw new NotFoundError('Event webhook');
  return postSignedEvent(
    deps.data.tenantId,
    destination,
    {
      id: randomId('evt'),
      type: 'switchboard.test',
      timestamp: deps.now.toISOString(),
      data: { message: 'Test delivery from Switchboard.', destinationId: id },
    },
    { cipher: deps.cipher, http: deps.http, now: deps.now },
  );
}
