import { defineRoutes } from '../route-contract';

export const contactRoutes = defineRoutes({});
