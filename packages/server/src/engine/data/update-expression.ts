import type { Names, Values } from './dynamo';

// Builds DynamoDB update expressions with a placeholder for every name and value, so attribute
// names that are reserved words (status, name, source, values...) or tenant-defined keys (custom
// field keys) never reach the expression text.

type Path = string | readonly string[];

export class UpdateExpression {
  private readonly sets: string[] = [];
  private readonly adds: string[] = [];
  private readonly removes: string[] = [];
  readonly names: Names = {};
  readonly values: Values = {};
  private n = 0;
  private v = 0;

  path(path: Path): string {
    const parts = typeof path === 'string' ? [path] : path;
    return parts
      .map((part) => {
        const existing = Object.entries(this.names).find(([, name]) => name === part)?.[0];
        if (existing) return existing;
        const placeholder = `#u${this.n++}`;
        this.names[placeholder] = part;
        return placeholder;
      })
      .join('.');
  }

  value(value: unknown): string {
    const placeholder = `:u${this.v++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  set(path: Path, value: unknown): this {
    this.sets.push(`${this.path(path)} = ${this.value(value)}`);
    return this;
  }

  setIfNotExists(path: Path, value: unknown): this {
    const p = this.path(path);
    this.sets.push(`${p} = if_not_exists(${p}, ${this.value(value)})`);
    return this;
  }

  /** ADD to a number or a set (adding a set member twice is a no-op: idempotent). */
  add(path: Path, value: unknown): this {
    this.adds.push(`${this.path(path)} ${this.value(value)}`);
    return this;
  }

  remove(path: Path): this {
    this.removes.push(this.path(path));
    return this;
  }

  get isEmpty(): boolean {
    return this.sets.length + this.adds.length + this.removes.length === 0;
  }

  /** The `update` argument of Db.update. */
  parts(): { set?: string; add?: string; remove?: string } {
    return {
      set: this.sets.length ? this.sets.join(', ') : undefined,
      add: this.adds.length ? this.adds.join(', ') : undefined,
      remove: this.removes.length ? this.removes.join(', ') : undefined,
    };
  }
}
