import { createHmac } from 'node:crypto';

/**
 * Serialises the way Meta does for webhook bodies: JSON with every non-ASCII UTF-16 code unit
 * escaped as a lowercase `\uXXXX` and `/` escaped as `\/`. The signature covers these exact bytes.
 */
export function metaJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/');
}

/** `X-Hub-Signature-256`: `sha256=` + hex HMAC-SHA256 of the raw body with the app secret. */
export function hubSignature(rawBody: string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}
