import type { Pipeline } from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';

export type PipelineStage = Pipeline['stages'][number];

/** Every tenant starts with this pipeline until it saves its own. */
export const defaultPipeline: Pipeline = {
  stages: [
    { id: 'new', name: 'New', kind: 'open' },
    { id: 'contacted', name: 'Contacted', kind: 'open' },
    { id: 'qualified', name: 'Qualified', kind: 'open' },
    { id: 'won', name: 'Won', kind: 'won' },
    { id: 'lost', name: 'Lost', kind: 'lost' },
  ],
};

/** New leads land in the first open stage. */
export function entryStage(pipeline: Pipeline): PipelineStage {
  return pipeline.stages.find((s) => s.kind === 'open') ?? pipeline.stages[0]!;
}

export class PipelineRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  async get(): Promise<Pipeline & { updatedAt?: string }> {
    const item = await this.db.get(keys.pipeline(this.tenantId), false);
    return item ? { stages: item.stages, updatedAt: item.updatedAt } : defaultPipeline;
  }

  async put(pipeline: Pipeline, now: string): Promise<void> {
    await this.db.put({
      ...keys.pipeline(this.tenantId),
      entity: 'Pipeline',
      stages: pipeline.stages,
      updatedAt: now,
    });
  }
}
