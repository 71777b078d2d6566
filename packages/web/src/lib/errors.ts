import { errorCatalog, errorCodes, type ErrorCode } from '@switchboard/contracts';

// Plain-words messages for the API's machine-readable error codes. The server raises only the
// codes of the contracts' `errorCatalog`, whose messages are written for people: the web shows
// those (never the server's developer-facing text), so the two cannot drift. A new code in the
// catalog gets its message here without a change; a web-only wording goes in `webWording`.

/** Codes this client makes up itself: the request got no answer it could read. */
export const clientErrorCodes = ['network_error', 'bad_response'] as const;
export type ClientErrorCode = (typeof clientErrorCodes)[number];

/** Every code an `ApiError` can carry. */
export type WebErrorCode = ErrorCode | ClientErrorCode;

/** Where the web says it differently from the catalog. */
const webWording: Partial<Record<ErrorCode, string>> = {};

const clientMessages: Record<ClientErrorCode, string> = {
  network_error: 'Cannot reach the server. Check your connection.',
  bad_response: 'The server answered in a way this app does not understand. Reload the page.',
};

function catalogMessages(): Record<ErrorCode, string> {
  const out = {} as Record<ErrorCode, string>;
  for (const code of errorCodes) out[code] = webWording[code] ?? errorCatalog[code].message;
  return out;
}

export const errorMessages: Readonly<Record<WebErrorCode, string>> = {
  ...catalogMessages(),
  ...clientMessages,
};

/** A 404 for a route this server does not have (`reason: 'no_route'`): a feature not deployed. */
export const noRouteMessage = 'This feature is not available on this server yet.';

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorCatalog, code);
}

export function messageForCode(code: WebErrorCode): string {
  return errorMessages[code];
}
