import type { TenantData } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import type { Availability } from './availability.repo';

// A member's own availability for auto-assignment, per workspace. Only a signed-in member has
// one: an API key is nobody's availability.

function memberOf(userId: string | undefined): string {
  if (!userId) throw new AppError('forbidden', 'Availability belongs to a signed-in member.');
  return userId;
}

export async function getAvailability(
  data: TenantData,
  userId: string | undefined,
): Promise<Availability> {
  const availability = await data.availability.get(memberOf(userId));
  if (!availability) throw new NotFoundError('Membership');
  return availability;
}

export async function setAvailability(
  data: TenantData,
  userId: string | undefined,
  available: boolean,
  now: Date,
): Promise<Availability> {
  const availability = await data.availability.set(memberOf(userId), available, now.toISOString());
  if (!availability) throw new NotFoundError('Membership');
  return availability;
}
