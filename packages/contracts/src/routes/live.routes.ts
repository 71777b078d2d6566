import { defineRoutes } from '../route-contract';

export const liveRoutes = defineRoutes({});
