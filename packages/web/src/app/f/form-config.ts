import {
  formConfigPaths,
  formConfigPointerSchema,
  publishedFormConfigSchema,
  type PublishedFormConfig,
} from '@switchboard/contracts';
import type { ZodType } from 'zod';
import { apiBase } from '@/lib/api-client';

// The hosted page reads the published config from the CDN, as the embed script does: the pointer
// `public/forms/<id>/current.json` (cached a minute) names the version's immutable file. Both are
// parsed with the contracts' schemas; what fails is a FormConfigError the page can explain.

/**
 * The CDN's base URL: NEXT_PUBLIC_FORM_CONFIG_URL (deployed: the web distribution's own URL,
 * `<WebUrl>`, which serves `public/forms/*` from the assets bucket), else the API's own `/cdn`
 * (the sandbox serves it there).
 */
export const formConfigBase = (process.env.NEXT_PUBLIC_FORM_CONFIG_URL ?? `${apiBase}/cdn`).replace(
  /\/$/,
  '',
);

export type FormConfigProblem = 'unavailable' | 'invalid' | 'network';

export class FormConfigError extends Error {
  override readonly name = 'FormConfigError';
  constructor(
    readonly problem: FormConfigProblem,
    message: string,
  ) {
    super(message);
  }
}

async function getJson(url: string, signal?: AbortSignal): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { credentials: 'omit', signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new FormConfigError('network', `Could not fetch ${url}.`);
  }
  // A key missing behind S3 + OAC answers 403: for a reader both mean "no such file".
  if (res.status === 404 || res.status === 403) {
    throw new FormConfigError('unavailable', `${url} does not exist.`);
  }
  if (!res.ok) throw new FormConfigError('network', `${url} answered ${res.status}.`);
  // The web distribution answers a key it does not hold with the app shell (SPA routing).
  if (!/^application\/json\b/i.test(res.headers.get('content-type') ?? '')) {
    throw new FormConfigError('unavailable', `${url} does not exist.`);
  }
  try {
    return await res.json();
  } catch {
    throw new FormConfigError('invalid', `${url} is not JSON.`);
  }
}

function parsed<T>(schema: ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new FormConfigError('invalid', `${what} is not a form config.`);
  return result.data;
}

/** The live config of a form, or a FormConfigError saying what is wrong. */
export async function loadFormConfig(
  formId: string,
  signal?: AbortSignal,
  base: string = formConfigBase,
): Promise<PublishedFormConfig> {
  if (!/^fm_[0-9a-z]{20}$/.test(formId)) {
    throw new FormConfigError('unavailable', 'Not a form id.');
  }
  const pointerUrl = `${base}/${formConfigPaths.pointer(formId)}`;
  const pointer = parsed(formConfigPointerSchema, await getJson(pointerUrl, signal), pointerUrl);
  if (
    pointer.formId !== formId ||
    (pointer.status === 'live' && !pointer.configPath.startsWith(formConfigPaths.dir(formId)))
  ) {
    throw new FormConfigError('invalid', `${pointerUrl} names another form.`);
  }
  if (pointer.status !== 'live') throw new FormConfigError('unavailable', 'The form is withdrawn.');
  const configUrl = `${base}/${pointer.configPath}`;
  const config = parsed(publishedFormConfigSchema, await getJson(configUrl, signal), configUrl);
  if (config.id !== formId || config.version !== pointer.version) {
    throw new FormConfigError('invalid', `${configUrl} does not match its pointer.`);
  }
  return config;
}
