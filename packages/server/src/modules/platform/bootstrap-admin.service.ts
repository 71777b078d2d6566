import { randomBytes } from 'node:crypto';
import type { Db } from '../../engine/data/dynamo';
import { UserRepo } from '../identity/user.repo';
import type { SecretStore } from '../../engine/ports/secrets';
import { hashPassword } from '../../engine/security/password';

/**
 * Ensures the platform admin exists. The password comes from ADMIN_PASSWORD or is generated once and
 * kept with the sandbox's secrets, so the start banner can print it and it survives restarts.
 */
export async function bootstrapPlatformAdmin(
  db: Db,
  secrets: SecretStore,
  email: string,
  password?: string,
): Promise<{ email: string; password: string; created: boolean }> {
  const users = new UserRepo(db);
  const existing = await users.getByEmail(email);
  const adminPassword =
    password ?? (await secrets.get('adminPassword', () => randomBytes(12).toString('base64url')));
  if (existing) return { email, password: adminPassword, created: false };
  await users.create({
    email,
    passwordHash: await hashPassword(adminPassword),
    platformAdmin: true,
  });
  return { email, password: adminPassword, created: true };
}
