import type { HandlerTable } from '../../engine/http/route-handler';
import { openApiDocument } from '../../engine/http/openapi';
import { renderApiReference } from '../../engine/http/openapi-html';

let page: string | undefined;

export const referenceHandlers = {
  'openapi.json': async ({ c }) => c.json(openApiDocument()),
  docs: async ({ c }) => {
    page ??= renderApiReference(openApiDocument());
    c.header(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    return c.html(page);
  },
} satisfies Partial<HandlerTable>;
