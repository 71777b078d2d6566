import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../lib/config';
import { routes } from '../lib/server';
import { WebAcls } from '../lib/waf.construct';
import { propsOf, resourcesOf, type CfnTemplate } from './cfn';

// The web ACLs alone (no bundling): the context-driven admin allow-list.

function synthAcls(context: Record<string, unknown>): CfnTemplate {
  const app = new App({ context });
  const stack = new Stack(app, 'WafOnly', { env: { region: 'us-east-1' } });
  new WebAcls(stack, 'Waf', { config: readConfig(app.node), logsKey: new Key(stack, 'Key') });
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}

describe('admin IP allow-list', () => {
  it('blocks platform-admin routes from outside the configured CIDRs', () => {
    const template = synthAcls({ adminAllowCidrs: '203.0.113.0/24,2001:db8::/32' });
    const sets = resourcesOf(template, 'AWS::WAFv2::IPSet').map(([, s]) => propsOf(s));
    expect(sets.map((s) => [s.IPAddressVersion, s.Addresses])).toEqual([
      ['IPV4', ['203.0.113.0/24']],
      ['IPV6', ['2001:db8::/32']],
    ]);
    const acl = resourcesOf(template, 'AWS::WAFv2::WebACL')
      .map(([, a]) => propsOf(a))
      .find((a) => a.Scope === 'REGIONAL')!;
    const rule = (acl.Rules as any[]).find((r) => r.Name === 'AdminAllowList');
    expect(rule.Priority).toBe(0);
    expect(rule.Action.Block.CustomResponse.ResponseCode).toBe(403);
    const [path, outside] = rule.Statement.AndStatement.Statements as any[];
    expect(outside.NotStatement.Statement.OrStatement.Statements).toHaveLength(2);
    const transforms = path.RegexMatchStatement.TextTransformations.map((t: any) => t.Type);
    expect(transforms).toEqual(['URL_DECODE', 'NORMALIZE_PATH']);
    const regex = new RegExp(path.RegexMatchStatement.RegexString);
    for (const route of routes) {
      const sample = `/prod${route.path.replace(/\{\w+\+?\}/g, 'x1')}`;
      expect(regex.test(sample), route.id).toBe(route.access.kind === 'platformAdmin');
    }
  });

  it('rejects a malformed CIDR at synth', () => {
    expect(() => synthAcls({ adminAllowCidrs: '10.0.0.0/8;rm -rf' })).toThrow(/not a CIDR/);
  });

  it('refuses a region other than us-east-1', () => {
    expect(() => synthAcls({ region: 'eu-west-1' })).toThrow(/us-east-1/);
  });
});
