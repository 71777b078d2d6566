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
  /**
   * Another DynamoDB API engine instead of the sandbox's own dynalite: DynamoDB Local
   * (`http://127.0.0.1:8000`) or a real table's regional endpoint. Unset: dynalite in a child.
   */
  DYNAMODB_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  /** The engine's region (default: AWS_REGION, else `local`). */
  DYNAMODB_REGION: z.string().min(1).optional(),
  /** The table on that engine (default SocialCRMTable), created with its indexes when absent. */
  DYNAMODB_TABLE: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name: 3-255 of A-Z a-z 0-9 _ . -')
    .optional(),
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
