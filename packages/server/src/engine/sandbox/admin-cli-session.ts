import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readEnv } from '../config';

// The command-line tools' way in: the running sandbox's URL (from `sandbox.json` in its data
// dir) and a platform admin's access token (ADMIN_EMAIL, and ADMIN_PASSWORD or the generated one).

export type AdminCliSession = { url: string; headers: Record<string, string> };

/** Signs in as the platform admin; undefined (after saying why on stderr) when it cannot. */
export async function adminCliSession(): Promise<AdminCliSession | undefined> {
  const env = readEnv();
  const dataDir = resolve(env.DATA_DIR);
  let url: string;
  try {
    url = (JSON.parse(await readFile(join(dataDir, 'sandbox.json'), 'utf8')) as { url: string })
      .url;
  } catch {
    process.stderr.write(
      `No running sandbox found under ${dataDir}: start it with \`npm start\` first.\n`,
    );
    return undefined;
  }
  const password =
    env.ADMIN_PASSWORD ??
    (await readFile(join(dataDir, 'secrets', 'adminPassword.secret'), 'utf8')).trim();
  const login = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: env.ADMIN_EMAIL, password }),
  });
  if (!login.ok) {
    process.stderr.write(
      `Admin sign-in failed (${login.status}): set ADMIN_EMAIL / ADMIN_PASSWORD.\n`,
    );
    return undefined;
  }
  const { accessToken } = (await login.json()) as { accessToken: string };
  return {
    url,
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
  };
}
