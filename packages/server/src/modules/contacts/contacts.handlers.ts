import type { HandlerTable } from '../../engine/http/route-handler';
import { assetUrlSigner } from '../../engine/http/public-urls';
import { audit } from '../../engine/http/audit';
import { nowOf } from '../../engine/http/session-deps';
import { tenantOf } from '../../engine/http/tenant-caller';
import { NotFoundError } from '../../engine/errors';
import { customerRecordView } from '../messaging/conversation-view';
import { CustomerRepo } from '../messaging/customer.repo';
import { TenantRepo } from '../platform/tenant.repo';
import { MEDIA_URL_TTL_SECONDS } from '../messaging/media/media-keys';
import { emitConversationUpdated } from '../live/live-events';
import { emitContactMerged, emitContactUpdated } from './contact-events';
import { mergeContacts } from './contact-merge.service';
import { createContact, updateContact } from './contact.service';

// Contacts an agent creates, edits and merges (`/customers`; reading them is inbox.handlers.ts).

export const contactHandlers = {
  'customers.create': async ({ c, caller, deps, body }) => {
    const { data } = tenantOf(caller);
    const input = await body();
    const { created, customer } = await createContact(data, input, nowOf(deps).toISOString());
    await emitContactUpdated(deps.events, data.tenantId, customer, created ? 'created' : 'updated');
    const sign = assetUrlSigner(c, deps, MEDIA_URL_TTL_SECONDS);
    return c.json(await customerRecordView(customer, sign), created ? 201 : 200);
  },
  'customers.update': async ({ c, caller, deps, params, body }) => {
    const { data } = tenantOf(caller);
    const input = await body();
    const customer = await updateContact(data, params.id, input, nowOf(deps).toISOString());
    await emitContactUpdated(deps.events, data.tenantId, customer, 'updated');
    return c.json(
      await customerRecordView(customer, assetUrlSigner(c, deps, MEDIA_URL_TTL_SECONDS)),
    );
  },
  'customers.merge': async ({ c, caller, deps, params, body }) => {
    const { data } = tenantOf(caller);
    const { sourceId } = await body();
    const actor = caller.kind === 'tenant' ? caller.ctx.actor : undefined;
    const result = await mergeContacts(
      data,
      params.id,
      sourceId,
      nowOf(deps).toISOString(),
      actor?.kind === 'user' ? actor.userId : undefined,
    );
    if (!result.replay) {
      await audit(c, caller, deps, {
        action: 'contact.merged',
        target: { type: 'customer', id: params.id },
        details: { sourceId },
      });
    }
    await emitContactMerged(deps.events, data.tenantId, result.contact, sourceId, result.mergedAt);
    // Open inboxes show the moved conversations under the contact (same ids on a replay).
    for (const conversation of result.conversations) {
      await emitConversationUpdated(deps.events, data, conversation, 'merged', sourceId);
    }
    return c.json({
      contact: await customerRecordView(
        result.contact,
        assetUrlSigner(c, deps, MEDIA_URL_TTL_SECONDS),
      ),
      sourceId,
      mergedAt: result.mergedAt,
    });
  },
  'admin.customer-search.backfill': async ({ c, caller, deps, params, body }) => {
    const { after } = await body();
    if (!(await new TenantRepo(deps.db).get(params.id))) throw new NotFoundError('Tenant');
    // The platform admin's function reaches the workspace's partition with its own role.
    const result = await new CustomerRepo(deps.db, params.id).backfillSearchIndex(after, 1_000);
    if (!result.next) {
      await audit(
        c,
        caller,
        deps,
        { action: 'customer_search.backfilled', target: { type: 'tenant', id: params.id } },
        { platform: true },
      );
    }
    return c.json({ indexed: result.customers, next: result.next ?? null });
  },
} satisfies Partial<HandlerTable>;
