import type { LabelColor } from '@switchboard/contracts';
import type { Db, Item } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';
import { claimUnique, releaseUnique } from './unique-claim';

export type Label = {
  id: string;
  name: string;
  color: LabelColor;
  createdAt: string;
  updatedAt: string;
};

/** Names are unique regardless of case (and of surrounding or repeated spaces). */
export function labelNameKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

function toLabel(item: Item): Label {
  return {
    id: item.id,
    name: item.name,
    color: item.color,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

/** A tenant's labels (`LABEL#<id>`) and the claims that keep their names unique (`LABELNAME#`). */
export class LabelRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  async get(labelId: string): Promise<Label | undefined> {
    const item = await this.db.get(keys.label(this.tenantId, labelId));
    return item ? toLabel(item) : undefined;
  }

  /** Every label, by name. */
  async list(): Promise<Label[]> {
    const out: Label[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.db.query({
        pk: keys.tenant(this.tenantId).PK,
        sk: { beginsWith: 'LABEL#' },
        startKey,
        consistent: true,
      });
      out.push(...page.items.map(toLabel));
      startKey = page.lastKey;
    } while (startKey);
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Claims a name for a label; false when another label has it. */
  claimName(name: string, labelId: string): Promise<boolean> {
    const nameKey = labelNameKey(name);
    return claimUnique(this.db, keys.labelName(this.tenantId, nameKey), labelId, async (holder) => {
      const label = await this.get(holder);
      return label !== undefined && labelNameKey(label.name) === nameKey;
    });
  }

  releaseName(name: string, labelId: string): Promise<void> {
    return releaseUnique(this.db, keys.labelName(this.tenantId, labelNameKey(name)), labelId);
  }

  /** Writes a new label; false when the id exists. */
  create(label: Label): Promise<boolean> {
    return this.db.put(
      { ...keys.label(this.tenantId, label.id), ...label, entity: 'Label' },
      { ifNotExists: true },
    );
  }

  async update(
    labelId: string,
    patch: { name?: string; color?: LabelColor },
    at: string,
  ): Promise<Label | undefined> {
    const sets = ['updatedAt = :at'];
    const names: Record<string, string> = {};
    const values: Record<string, string> = { ':at': at };
    if (patch.name !== undefined) {
      sets.push('#name = :name');
      names['#name'] = 'name';
      values[':name'] = patch.name;
    }
    if (patch.color !== undefined) {
      sets.push('#color = :color');
      names['#color'] = 'color';
      values[':color'] = patch.color;
    }
    const item = await this.db.update(
      keys.label(this.tenantId, labelId),
      { set: sets.join(', ') },
      {
        condition: 'attribute_exists(PK)',
        names: Object.keys(names).length ? names : undefined,
        values,
      },
    );
    return item ? toLabel(item) : undefined;
  }

  /** False when there was no such label. */
  delete(labelId: string): Promise<boolean> {
    return this.db.delete(keys.label(this.tenantId, labelId), {
      condition: 'attribute_exists(PK)',
    });
  }
}
