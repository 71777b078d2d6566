import { AppError } from '../errors';
import type { Caller, TenantCaller } from './auth-context';

/** Narrows a caller on a tenant route; the middleware guarantees it, this keeps types honest. */
export function tenantOf(caller: Caller): TenantCaller {
  if (caller.kind !== 'tenant') throw new AppError('forbidden', 'This route needs a tenant.');
  return caller;
}
