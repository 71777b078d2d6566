import type { RouteRepo, RouteTarget } from '../channels/channel.repo';
import type { Routing } from './meta/inbound-event';

export type Unrouted = { unrouted: 'no_tenant_for_routing_key' | 'waba_not_verified' };

/**
 * Which tenant's channel an inbound event belongs to. Exact keys first (the phone number id, the
 * Instagram account id); a WABA key only as the fallback for its other numbers, and only when its
 * tenant proved the WABA to Meta (a key from before claims were verified routes nothing: the entry
 * is kept for the admin instead). The message processor and replay both route through this.
 */
export async function routeOf(
  routes: RouteRepo,
  routing: Routing,
): Promise<RouteTarget | Unrouted> {
  if (routing.channel !== 'whatsapp') {
    const account = await routes.resolve('ig', routing.accountId);
    return account ?? { unrouted: 'no_tenant_for_routing_key' };
  }
  const exact = await routes.resolve('wa-phone', routing.phoneNumberId);
  if (exact) return exact;
  const waba = await routes.resolve('wa-waba', routing.wabaId);
  if (!waba) return { unrouted: 'no_tenant_for_routing_key' };
  if (!waba.verified) return { unrouted: 'waba_not_verified' };
  return { tenantId: waba.tenantId, channelId: waba.channelId };
}
