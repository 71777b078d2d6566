import { defineRoutes } from '../route-contract';

export const workspaceRoutes = defineRoutes({});
