import type { HandlerTable } from '../app';
import { openApiDocument } from '../openapi';
import { renderApiReference } from '../openapi-html';

let page: string | undefined;

export const referenceHandlers = {
  'openapi.json': async (c) => c.json(openApiDocument()),
  docs: async (c) => {
    page ??= renderApiReference(openApiDocument());
    c.header(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    return c.html(page);
  },
} satisfies Partial<HandlerTable>;
