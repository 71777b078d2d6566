// The few parts of oidc-provider (a test dependency without bundled types) the test IdP uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, Server, ServerResponse } from 'node:http';

  export type KoaContext = {
    path: string;
    method: string;
    query: Record<string, string | string[] | undefined>;
    req: IncomingMessage;
    res: ServerResponse;
    status: number;
    body: unknown;
    redirect(url: string): void;
  };

  export type Interaction = {
    uid: string;
    prompt: { name: string };
    params: Record<string, string | undefined>;
  };

  export class Grant {
    constructor(input: { accountId: string; clientId: string });
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    readonly issuer: string;
    Grant: typeof Grant;
    use(middleware: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): this;
    listen(port: number, host: string, callback?: () => void): Server;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}
