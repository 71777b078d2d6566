import type { RouteContract } from '../route-contract';
import { authRoutes, teamRoutes } from './identity.routes';
import { formRoutes, leadRoutes } from './leads.routes';
import { channelRoutes, inboxRoutes } from './messaging.routes';
import { platformRoutes } from './platform.routes';
import { webhookRoutes } from './webhooks.routes';

export * from './common';
export * from './identity.routes';
export * from './leads.routes';
export * from './messaging.routes';
export * from './platform.routes';
export * from './webhooks.routes';

/**
 * Every route of the API, keyed by its id. Declaration order is registration order: a static
 * path (`/leads/export.csv`) comes before the parameterised one it would otherwise match.
 */
export const routeContracts = {
  ...webhookRoutes,
  ...authRoutes,
  ...platformRoutes,
  ...teamRoutes,
  ...channelRoutes,
  ...inboxRoutes,
  ...formRoutes,
  ...leadRoutes,
};

export type RouteContracts = typeof routeContracts;
export type RouteId = keyof RouteContracts;
export type RouteContractOf<Id extends RouteId> = RouteContracts[Id];

export const routeList = Object.values(routeContracts) as readonly (RouteContract & {
  id: RouteId;
})[];
