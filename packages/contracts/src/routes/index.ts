import type { RouteContract } from '../route-contract';
import { authRoutes, teamRoutes } from './identity.routes';
import { formRoutes, leadRoutes } from './leads.routes';
import { channelRoutes, inboxRoutes } from './messaging.routes';
import { platformRoutes } from './platform.routes';
import { webhookRoutes } from './webhooks.routes';
import { liveRoutes } from './live.routes';
import { workspaceRoutes } from './workspace.routes';
import { assignmentRoutes } from './assignment.routes';
import { contactRoutes } from './contacts.routes';
import { integrationRoutes } from './integrations.routes';
import { attributionRoutes } from './attribution.routes';
import { consentKeywordRoutes, consentRoutes } from './consent.routes';
import { campaignRoutes } from './campaigns.routes';

export * from './common';
export * from './identity.routes';
export * from './leads.routes';
export * from './messaging.routes';
export * from './platform.routes';
export * from './webhooks.routes';
export * from './live.routes';
export * from './workspace.routes';
export * from './assignment.routes';
export * from './contacts.routes';
export * from './integrations.routes';
export * from './attribution.routes';
export * from './consent.routes';
export * from './campaigns.routes';

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
  // Before `/customers/{id}` (inboxRoutes), which would take `consent-keywords` for an id.
  ...consentKeywordRoutes,
  ...inboxRoutes,
  ...formRoutes,
  ...leadRoutes,
  ...liveRoutes,
  ...workspaceRoutes,
  ...assignmentRoutes,
  ...attributionRoutes,
  ...contactRoutes,
  ...integrationRoutes,
  ...consentRoutes,
  // `/campaigns/estimate` is declared before `/campaigns/{id}`.
  ...campaignRoutes,
};

export type RouteContracts = typeof routeContracts;
export type RouteId = keyof RouteContracts;
export type RouteContractOf<Id extends RouteId> = RouteContracts[Id];

export const routeList = Object.values(routeContracts) as readonly (RouteContract & {
  id: RouteId;
})[];
