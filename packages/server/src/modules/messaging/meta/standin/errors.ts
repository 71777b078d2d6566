import { randomBytes } from 'node:crypto';

// Error bodies shaped like the Graph API's: `{ error: { message, type, code, error_subcode?,
// error_data?, fbtrace_id } }`, with the HTTP statuses Meta uses for them.

export type StandInError = {
  httpStatus: number;
  body: {
    error: {
      message: string;
      type: string;
      code: number;
      error_subcode?: number;
      error_data?: { messaging_product?: string; details: string };
      fbtrace_id: string;
    };
  };
};

export function fbtraceId(): string {
  return randomBytes(9).toString('base64url');
}

export function graphError(
  httpStatus: number,
  code: number,
  message: string,
  extra: { type?: string; subcode?: number; details?: string; whatsapp?: boolean } = {},
): StandInError {
  return {
    httpStatus,
    body: {
      error: {
        message,
        type: extra.type ?? 'OAuthException',
        code,
        ...(extra.subcode !== undefined ? { error_subcode: extra.subcode } : {}),
        ...(extra.details !== undefined
          ? {
              error_data: {
                ...(extra.whatsapp ? { messaging_product: 'whatsapp' } : {}),
                details: extra.details,
              },
            }
          : {}),
        fbtrace_id: fbtraceId(),
      },
    },
  };
}

export const standInErrors = {
  missingToken: () => graphError(400, 104, 'An access token is required to request this resource.'),
  invalidToken: () =>
    graphError(401, 190, 'Invalid OAuth access token - Cannot parse access token'),
  expiredToken: () =>
    graphError(
      401,
      190,
      'Error validating access token: Session has expired or the user has changed their password.',
      { subcode: 463 },
    ),
  unknownObject: (id: string) =>
    graphError(
      400,
      100,
      `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
      { type: 'GraphMethodException', subcode: 33 },
    ),
  /** An edge asked of a node that has none (e.g. `phone_numbers` of a phone number). */
  nonexistingField: (field: string, nodeType: string) =>
    graphError(
      400,
      100,
      `(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})`,
    ),
  unknownPath: (path: string) => graphError(400, 2500, `Unknown path components: ${path}`),
  invalidParameter: (details: string) =>
    graphError(400, 100, '(#100) Invalid parameter', { details, whatsapp: true }),
  reEngagement: () =>
    graphError(400, 131047, '(#131047) Re-engagement message', {
      details:
        'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      whatsapp: true,
    }),
  templateMissing: (name: string, language: string) =>
    graphError(404, 132001, '(#132001) Template name does not exist in the translation', {
      details: `template name (${name}) does not exist in ${language}`,
      whatsapp: true,
    }),
  templateParams: (details: string) =>
    graphError(
      400,
      132000,
      '(#132000) Number of parameters does not match the expected number of params',
      { details, whatsapp: true },
    ),
  igOutsideWindow: () =>
    graphError(403, 10, 'This message is sent outside of allowed window.', {
      type: 'IGApiException',
      subcode: 2534022,
    }),
  igUnavailable: () =>
    graphError(400, 551, 'This person isn\u2019t available right now.', { subcode: 1545041 }),
  igInvalidParameter: (message: string) =>
    graphError(400, 100, `(#100) ${message}`, { type: 'IGApiException' }),
  /** `POST /{phone-number-id}/media` with a file whose type WhatsApp does not take. */
  uploadType: (received: string, accepted: readonly string[]) =>
    graphError(
      400,
      100,
      `(#100) Param file must be a file with one of the following types: ${accepted.join(', ')}. Received file of type '${received}'.`,
    ),
  /** An upload over WhatsApp's limit for its kind. */
  uploadTooLarge: (mimeType: string, maxBytes: number) =>
    graphError(400, 131053, '(#131053) Media upload error', {
      details: `File size too big. Max file size for ${mimeType} is ${Math.round(maxBytes / 1024)} KB.`,
      whatsapp: true,
    }),
  /** A send naming a media id this number never uploaded, or one Meta has deleted (30 days). */
  unknownMediaId: (param: string) =>
    graphError(400, 100, '(#100) Invalid parameter', {
      details: `Param ${param} is not a valid whatsapp business account media attachment ID`,
      whatsapp: true,
    }),
  /** A template's header or button parameters that do not fit the approved template. */
  templateFormat: (details: string) =>
    graphError(
      400,
      132012,
      '(#132012) Parameter format does not match format in the created template',
      {
        details,
        whatsapp: true,
      },
    ),
  templateParamMissing: (details: string) =>
    graphError(400, 131008, '(#131008) Required parameter is missing', {
      details,
      whatsapp: true,
    }),
  /** Instagram could not download an attachment URL. */
  igFetchFailed: () =>
    graphError(400, 100, '(#100) Failed to fetch the file from the url', {
      type: 'IGApiException',
      subcode: 2018008,
    }),
};
