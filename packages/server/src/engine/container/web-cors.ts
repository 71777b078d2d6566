import { deployedRoutes, type HttpFunctionName } from '../topology';

// Cross-origin calls from the web app. On Lambda, API Gateway answers the preflights (one
// OPTIONS method per resource, infra/lib/api.construct.ts); behind the load balancer nothing
// does, so the container answers them for the web app's origin only, and marks that origin's
// answers as readable with credentials (the refresh cookie). Requests from any other origin pass
// through untouched: the public form routes answer their own CORS (public-forms.handlers.ts).

const allowHeaders = ['Content-Type', 'Authorization', 'X-Api-Key', 'Idempotency-Key'];
const maxAgeSeconds = 3600;

export type WebCors = {
  /** A preflight from the web origin answered here, or undefined to pass the request on. */
  preflight(request: Request): Response | undefined;
  /** The response, readable by the web origin when the request came from it. */
  decorate(request: Request, response: Response): Response;
};

export function webCors(
  webOrigin: () => string | undefined,
  functions: readonly HttpFunctionName[],
): WebCors {
  const methods = [
    ...new Set(deployedRoutes.filter((r) => functions.includes(r.function)).map((r) => r.method)),
  ].sort();
  const fromWeb = (request: Request) => {
    const origin = request.headers.get('origin');
    return origin !== null && origin === webOrigin() ? origin : undefined;
  };
  return {
    preflight(request) {
      const origin = fromWeb(request);
      if (request.method !== 'OPTIONS' || !origin) return undefined;
      if (!request.headers.has('access-control-request-method')) return undefined;
      return new Response(null, {
        status: 204,
        headers: {
          'access-control-allow-origin': origin,
          'access-control-allow-credentials': 'true',
          'access-control-allow-methods': methods.join(','),
          'access-control-allow-headers': allowHeaders.join(','),
          'access-control-max-age': String(maxAgeSeconds),
          vary: 'Origin',
        },
      });
    },
    decorate(request, response) {
      const origin = fromWeb(request);
      if (!origin || response.headers.has('access-control-allow-origin')) return response;
      const out = new Response(response.body, response);
      out.headers.set('access-control-allow-origin', origin);
      out.headers.set('access-control-allow-credentials', 'true');
      out.headers.append('vary', 'Origin');
      return out;
    },
  };
}
