import { deployedRoutes, type HttpFunctionName } from '../topology';

// Which HTTP functions the container replaces when the CDK app runs the API on ECS
// (`-c apiRuntime=ecs`): every one but the function receiving Meta's signed webhooks, which stays
// on API Gateway and Lambda (its URL is registered with Meta; its bursts are what Lambda absorbs).
// Derived from the route table, so a new HTTP function is served by the container unless it
// receives signed webhooks. The CDK app reads the same list (ecs.construct.ts).

const webhookFunctions = new Set(
  deployedRoutes.filter((r) => r.access.kind === 'signature').map((r) => r.function),
);

export const containerFunctions: readonly HttpFunctionName[] = [
  ...new Set(deployedRoutes.map((r) => r.function)),
].filter((fn) => !webhookFunctions.has(fn));

/** The path the load balancer's health check calls: not a contract route, never authenticated. */
export const healthPath = '/healthz';
