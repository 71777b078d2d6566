import { NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

// Small readers over a synthesised CloudFormation template, for the assertion tests.

export type CfnResource = { Type: string; Properties?: Record<string, unknown> };
export type CfnTemplate = { Resources: Record<string, CfnResource> };

export function resourcesOf(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

export function propsOf(resource: CfnResource): Record<string, any> {
  return (resource.Properties ?? {}) as Record<string, any>;
}

/** Renders intrinsics as text: `{Ref: X}` -> `${X}`, GetAtt -> `${X.Attr}`, Join concatenated. */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(flatten).join(',');
  if (value && typeof value === 'object') {
    const obj = value as Record<string, any>;
    if ('Ref' in obj) return `\${${obj.Ref}}`;
    if ('Fn::GetAtt' in obj) return `\${${(obj['Fn::GetAtt'] as string[]).join('.')}}`;
    if ('Fn::Join' in obj) {
      const [sep, parts] = obj['Fn::Join'] as [string, unknown[]];
      return parts.map(flatten).join(sep);
    }
    return JSON.stringify(obj);
  }
  return '';
}

/** Every logical id a value refers to (Ref or GetAtt), however deeply nested. */
export function referencedIds(value: unknown): Set<string> {
  const ids = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    const obj = v as Record<string, any>;
    if (typeof obj.Ref === 'string') ids.add(obj.Ref);
    if (Array.isArray(obj['Fn::GetAtt'])) ids.add(obj['Fn::GetAtt'][0]);
    Object.values(obj).forEach(walk);
  };
  walk(value);
  return ids;
}

/** All IAM policy statements the template grants to identities (not key or resource policies). */
export function identityStatements(template: CfnTemplate): { owner: string; statement: any }[] {
  const out: { owner: string; statement: any }[] = [];
  const add = (owner: string, doc: any) => {
    for (const statement of doc?.Statement ?? []) out.push({ owner, statement });
  };
  for (const [id, r] of resourcesOf(template, 'AWS::IAM::Policy')) {
    add(id, propsOf(r).PolicyDocument);
  }
  for (const [id, r] of resourcesOf(template, 'AWS::IAM::ManagedPolicy')) {
    add(id, propsOf(r).PolicyDocument);
  }
  for (const [id, r] of resourcesOf(template, 'AWS::IAM::Role')) {
    for (const policy of propsOf(r).Policies ?? []) add(id, policy.PolicyDocument);
  }
  return out;
}

/** The identity statements a role holds: inline, and in the policies attached to it. */
export function statementsOfRole(template: CfnTemplate, roleId: string): any[] {
  const attached = new Set(
    [
      ...resourcesOf(template, 'AWS::IAM::Policy'),
      ...resourcesOf(template, 'AWS::IAM::ManagedPolicy'),
    ]
      .filter(([, p]) => asArray(propsOf(p).Roles).some((r) => referencedIds(r).has(roleId)))
      .map(([policyId]) => policyId),
  );
  return identityStatements(template)
    .filter((s) => attached.has(s.owner) || s.owner === roleId)
    .map((s) => s.statement);
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * The stack's template with its nested stacks' resources folded in, each nested `Ref` to one of
 * its parameters replaced by what the parent passes: assertions read one template, and a
 * reference across the split still names the parent's logical id. Logical ids must not collide.
 */
export function withNestedStacks(stack: Stack): CfnTemplate {
  const root = Template.fromStack(stack).toJSON() as CfnTemplate;
  const merged: CfnTemplate = { Resources: { ...root.Resources } };
  for (const nested of nestedStacksOf(stack)) {
    const parentResource = nested.nestedStackResource;
    if (!parentResource) throw new Error(`${nested.node.path} has no resource in its parent`);
    const parameters = (propsOf(
      root.Resources[Stack.of(parentResource).getLogicalId(parentResource)]!,
    ).Parameters ?? {}) as Record<string, unknown>;
    const inner = Template.fromStack(nested).toJSON() as CfnTemplate;
    const substitute = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(substitute);
      if (!value || typeof value !== 'object') return value;
      const obj = value as Record<string, unknown>;
      if (typeof obj.Ref === 'string' && obj.Ref in parameters) return parameters[obj.Ref];
      return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, substitute(v)]));
    };
    for (const [id, resource] of Object.entries(inner.Resources)) {
      if (id in merged.Resources) throw new Error(`logical id ${id} is in two stacks`);
      merged.Resources[id] = substitute(resource) as CfnResource;
    }
  }
  return merged;
}

/** Every nested stack under a stack, however deep. */
export function nestedStacksOf(stack: Stack): NestedStack[] {
  return stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);
}
