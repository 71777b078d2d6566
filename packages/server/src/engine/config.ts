import { resolve } from 'node:path';
import { z } from 'zod';

// Everything read from the environment, validated once at start.
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  // Relative to where the command was typed: `npm start` at the repo root keeps data in ./.data,
  // not in the workspace folder npm runs the script from (npm sets INIT_CWD to the former).
  DATA_DIR: z
    .string()
    .default('./.data')
    .transform((dir) => resolve(process.env.INIT_CWD ?? process.cwd(), dir)),
  META_APP_SECRET: z.string().min(1).optional(),
  META_VERIFY_TOKEN: z.string().min(1).optional(),
  ADMIN_EMAIL: z.email().default('admin@switchboard.local'),
  ADMIN_PASSWORD: z.string().min(8).optional(),
  TABLE_NAME: z.string().default('SocialCRMTable'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Graph API base for every Meta call; unset in the sandbox = the built-in Meta stand-in. */
  META_GRAPH_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Graph API version, e.g. v26.0 (default: meta/graph-client.ts DEFAULT_GRAPH_VERSION). */
  META_GRAPH_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/)
    .optional(),
});

export type Env = z.infer<typeof envSchema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  return envSchema.parse(source);
}
