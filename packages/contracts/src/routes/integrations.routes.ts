import { defineRoutes } from '../route-contract';

export const integrationRoutes = defineRoutes({});
