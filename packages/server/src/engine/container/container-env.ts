import { isIP } from 'node:net';
import { z } from 'zod';

// What the container reads beyond the functions' own environment (engine/aws/env-names.ts): where
// to listen, how long to drain, and where the viewer's address comes from behind the edge.
const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** 0.0.0.0 in the task (the load balancer reaches the task's ENI); 127.0.0.1 in tests. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** How long in-flight requests may take after SIGTERM; under the task's stopTimeout. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(25_000),
  /**
   * A header the edge (CloudFront's viewer-request function) overwrites with the address of the
   * viewer's TCP connection. Set only where every request comes through that edge (the ALB is
   * internal, reached only by CloudFront's VPC origin); unset, the socket's peer is the client.
   */
  VIEWER_IP_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/)
    .transform((name) => name.toLowerCase())
    .optional(),
});

export type ContainerEnv = z.infer<typeof schema>;

export function readContainerEnv(env: NodeJS.ProcessEnv = process.env): ContainerEnv {
  return schema.parse(env);
}

/** The header's value when it is exactly one IP address (what the edge writes), else undefined. */
export function viewerIpOf(value: string | undefined): string | undefined {
  const ip = value?.trim();
  return ip && isIP(ip) !== 0 ? ip : undefined;
}
