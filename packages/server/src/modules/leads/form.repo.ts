import type { FormDefinition } from '@switchboard/contracts';
import type { Db, Item } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';

export type FormStatus = 'draft' | 'published' | 'archived';

export type StoredForm = FormDefinition & {
  id: string;
  /** Draft version: bumped by every update. */
  version: number;
  publishedVersion?: number;
  status: FormStatus;
  createdAt: string;
  updatedAt: string;
};

/** What the public routes need, from the global pointer: one read per submission. */
export type PublishedForm = {
  formId: string;
  tenantId: string;
  version: number;
  definition: FormDefinition;
  publishedAt: string;
  live: boolean;
};

const definitionOf = (item: Item): FormDefinition => ({
  name: item.name,
  fields: item.fields,
  allowedOrigins: item.allowedOrigins ?? [],
  submitLabel: item.submitLabel,
  successMessage: item.successMessage,
  redirectUrl: item.redirectUrl,
  defaultCountryCode: item.defaultCountryCode,
  whatsappHandoff: item.whatsappHandoff,
});

function toForm(item: Item): StoredForm {
  return {
    ...definitionOf(item),
    id: item.id,
    version: item.version,
    publishedVersion: item.publishedVersion,
    status: item.status,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

function toPublished(item: Item): PublishedForm {
  return {
    formId: item.formId,
    tenantId: item.tenantId,
    version: item.version,
    definition: item.definition,
    publishedAt: item.publishedAt,
    live: item.live === true,
  };
}

/** Platform-level: public routes find a form (and its tenant) by id alone. Never tenant input. */
export class FormPointerRepo {
  constructor(private readonly db: Db) {}

  /** Eventually consistent by default (a submission's read); `consistent` for config writes. */
  async get(formId: string, consistent = false): Promise<PublishedForm | undefined> {
    const item = await this.db.get(keys.formPointer(formId), consistent);
    return item ? toPublished(item) : undefined;
  }
}

/** A tenant's lead forms, with published snapshots kept per version. */
export class FormRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
    /** For the global pointers outside the tenant's partitions (see tenant-data.ts). */
    private readonly platformDb: Db = db,
  ) {}

  async create(form: StoredForm): Promise<void> {
    const created = await this.db.put(
      { ...keys.form(this.tenantId, form.id), ...form, entity: 'Form' },
      { ifNotExists: true },
    );
    if (!created) throw new Error('form id collision');
  }

  async get(formId: string): Promise<StoredForm | undefined> {
    const item = await this.db.get(keys.form(this.tenantId, formId));
    return item ? toForm(item) : undefined;
  }

  /** Every form of the tenant (a tenant has tens, not thousands), newest first. */
  async list(max = 500): Promise<StoredForm[]> {
    const out: StoredForm[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.db.query({
        pk: keys.tenant(this.tenantId).PK,
        sk: { beginsWith: 'FORM#' },
        startKey,
        limit: 100,
      });
      out.push(...page.items.map(toForm));
      startKey = page.lastKey;
    } while (startKey && out.length < max);
    return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  }

  /** Replaces the draft and bumps its version; undefined when missing or archived. */
  async update(
    formId: string,
    definition: FormDefinition,
    now: string,
  ): Promise<StoredForm | undefined> {
    const item = await this.db.update(
      keys.form(this.tenantId, formId),
      {
        set: [
          '#name = :name',
          '#fields = :fields',
          'allowedOrigins = :origins',
          '#version = #version + :one',
          'updatedAt = :now',
          ...optionalSets(definition),
        ].join(', '),
        remove: optionalRemoves(definition),
      },
      {
        condition: 'attribute_exists(PK) AND #status <> :archived',
        names: { '#name': 'name', '#status': 'status', '#version': 'version', '#fields': 'fields' },
        values: {
          ':name': definition.name,
          ':fields': definition.fields,
          ':origins': definition.allowedOrigins,
          ':one': 1,
          ':now': now,
          ':archived': 'archived',
          ...optionalValues(definition),
        },
      },
    );
    return item ? toForm(item) : undefined;
  }

  /**
   * Publishes the current draft as version `publishedVersion + 1`: snapshot first, then the form
   * (conditional on the version seen, so concurrent publishes cannot both win), then the global
   * pointer (monotonic). A crash part-way is healed by publishing again.
   */
  async publish(form: StoredForm, now: string): Promise<PublishedForm | undefined> {
    const version = (form.publishedVersion ?? 0) + 1;
    const definition = definitionOf(form as unknown as Item);
    await this.db.put({
      ...keys.formVersion(this.tenantId, form.id, version),
      entity: 'FormVersion',
      formId: form.id,
      version,
      draftVersion: form.version,
      definition,
      publishedAt: now,
    });
    const updated = await this.db.update(
      keys.form(this.tenantId, form.id),
      { set: 'publishedVersion = :v, #status = :published, updatedAt = :now' },
      {
        condition:
          'attribute_exists(PK) AND #status <> :archived AND #version = :draft AND ' +
          (form.publishedVersion === undefined
            ? 'attribute_not_exists(publishedVersion)'
            : 'publishedVersion = :prev'),
        names: { '#status': 'status', '#version': 'version' },
        values: {
          ':v': version,
          ':published': 'published',
          ':now': now,
          ':archived': 'archived',
          ':draft': form.version,
          ...(form.publishedVersion === undefined ? {} : { ':prev': form.publishedVersion }),
        },
      },
    );
    if (!updated) return undefined;
    const published: PublishedForm = {
      formId: form.id,
      tenantId: this.tenantId,
      version,
      definition,
      publishedAt: now,
      live: true,
    };
    await this.platformDb.put(
      { ...keys.formPointer(form.id), ...published, entity: 'FormPointer' },
      {
        condition: 'attribute_not_exists(PK) OR (tenantId = :t AND #version < :v)',
        names: { '#version': 'version' },
        values: { ':t': this.tenantId, ':v': version },
      },
    );
    return published;
  }

  /** The definition of one published version, as submissions to it were checked. */
  async getVersion(formId: string, version: number): Promise<FormDefinition | undefined> {
    const item = await this.db.get(keys.formVersion(this.tenantId, formId, version));
    return item?.definition as FormDefinition | undefined;
  }

  /** Archives the form: its public routes answer 404 from now on. */
  async archive(formId: string, now: string): Promise<boolean> {
    const updated = await this.db.update(
      keys.form(this.tenantId, formId),
      { set: '#status = :archived, updatedAt = :now' },
      {
        condition: 'attribute_exists(PK)',
        names: { '#status': 'status' },
        values: { ':archived': 'archived', ':now': now },
      },
    );
    if (!updated) return false;
    await this.platformDb.update(
      keys.formPointer(formId),
      { set: '#live = :false' },
      {
        condition: 'tenantId = :t',
        names: { '#live': 'live' },
        values: { ':false': false, ':t': this.tenantId },
      },
    );
    return true;
  }
}

const optionalKeys = [
  'submitLabel',
  'successMessage',
  'redirectUrl',
  'defaultCountryCode',
  'whatsappHandoff',
] as const;

function optionalSets(def: FormDefinition): string[] {
  return optionalKeys.filter((k) => def[k] !== undefined).map((k) => `${k} = :${k}`);
}
function optionalRemoves(def: FormDefinition): string | undefined {
  const gone = optionalKeys.filter((k) => def[k] === undefined);
  return gone.length > 0 ? gone.join(', ') : undefined;
}
function optionalValues(def: FormDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of optionalKeys) if (def[k] !== undefined) out[`:${k}`] = def[k]!;
  return out;
}
