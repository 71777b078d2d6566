import type { PipelineView } from '@switchboard/contracts';
import type { CallResult } from './api-client';

// Names for route answers the contracts do not name themselves; each is derived from a contract,
// never restated. Everything else is imported from @switchboard/contracts as is (BrandingDto,
// LeadDetailDto, FormView, …).

export type PipelineStage = PipelineView['stages'][number];
export type CrmTestResult = CallResult<'crm-destinations.test'>;
