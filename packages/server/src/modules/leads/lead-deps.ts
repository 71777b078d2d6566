import type { AssetUrlSigner } from '../../engine/ports/asset-urls';
import type { EventBus } from '../../engine/ports/bus';
import type { Limit } from '../identity/settings';
import type { CrmSettings } from './crm-connectors';

export type LeadLimits = {
  /** Public submissions per client IP (all forms). */
  perIp: Limit;
  /** Public submissions per form, from everyone. */
  perForm: Limit;
};

export const defaultLeadLimits: LeadLimits = {
  perIp: { limit: 20, windowSeconds: 60 },
  perForm: { limit: 600, windowSeconds: 60 },
};

/** What the leads routes need beyond the common deps (AppDeps.leads). */
export type LeadDeps = {
  bus: EventBus;
  assets: AssetUrlSigner;
  crm: CrmSettings;
  limits?: Partial<LeadLimits>;
  /** The web app's origin: its hosted form page (`/f/{formId}`) may post to every form. */
  hostedFormOrigin?: string;
  /** The API's public base URL for embed snippets; the request's origin when absent. */
  publicApiUrl?: string;
  /**
   * Where published form configs are served (`<base>/public/forms/<id>/current.json`): the assets
   * distribution in AWS; absent in the sandbox, which serves them at `<its own origin>/cdn`.
   */
  formConfigBaseUrl?: string;
};

export function leadLimits(deps: Pick<LeadDeps, 'limits'>): LeadLimits {
  return { ...defaultLeadLimits, ...deps.limits };
}
