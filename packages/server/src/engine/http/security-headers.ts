import type { MiddlewareHandler } from 'hono';

// Security headers on every response. API answers are JSON that no browser should render or
// frame, so their policy allows nothing; the web app's pages bring their own CSP (with the hashes
// of their inline scripts, see sandbox/web-static.ts) and this middleware never overrides a policy
// a handler chose (the API reference page sets its own).

export const apiContentSecurityPolicy =
  "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const fixed: Record<string, string> = {
  // Browsers ignore HSTS over plain http (the laptop), and honour it behind TLS (CloudFront, API Gateway).
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

function apply(headers: Headers): void {
  for (const [name, value] of Object.entries(fixed)) {
    if (!headers.has(name)) headers.set(name, value);
  }
  if (!headers.has('Content-Security-Policy')) {
    headers.set('Content-Security-Policy', apiContentSecurityPolicy);
  }
  // Old browsers without frame-ancestors: deny framing unless the policy allows some framing.
  const csp = headers.get('Content-Security-Policy') ?? '';
  if (!headers.has('X-Frame-Options') && /frame-ancestors 'none'/.test(csp)) {
    headers.set('X-Frame-Options', 'DENY');
  }
}

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    try {
      apply(c.res.headers);
    } catch {
      // A response with immutable headers (a passed-through fetch): copy it, then set them.
      c.res = new Response(c.res.body, c.res);
      apply(c.res.headers);
    }
  };
}
