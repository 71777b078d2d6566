import type { FormField } from '@switchboard/contracts';

// Rules on a form's fields that the renderer and its tests share (no React here).

/**
 * A field the person must fill or tick: required ones, and consent boxes (terms) except a
 * channel opt-in, which is a choice unless the form makes it required (the server accepts it
 * unticked).
 */
export function mustFill(f: FormField): boolean {
  return f.required || (Boolean(f.consent) && !f.consentChannel);
}
