import { defineRoutes } from '../route-contract';

export const assignmentRoutes = defineRoutes({});
