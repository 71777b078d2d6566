import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnIPSet, CfnLoggingConfiguration, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { SwitchboardConfig } from './config';
import type { RouteSpec } from './server';
import { allRoutes } from './topology-reader';
import { routesRegexes, routeTreeRegex } from './waf-paths';
import { containerFunctions } from '../../server/src/engine/container/served-functions';

// The regional web ACL of the API's ALB (`apiRuntime=ecs`): the API ACL's rules (waf.construct.ts)
// rebuilt for what the ALB sees. Two things differ from API Gateway. Every request reaches the ALB
// from CloudFront's VPC origin ENIs, so per-IP rules key on the viewer address the edge writes
// into `viewerIpHeader` (a CloudFront Function overwrites it on every request); keyed on the
// source IP, one rate limit would count every viewer together. And WAF inspects at most 8 KB of
// an ALB request's body, so the body-size guards (which would block any body past that) are left
// to the app, which enforces every route's limit itself.

/** Written by the API distribution's viewer-request function (ecs.construct.ts). */
export const viewerIpHeader = 'x-viewer-ip';

type Rule = CfnWebACL.RuleProperty;
type Statement = CfnWebACL.StatementProperty;

const none = [{ priority: 0, type: 'NONE' }];
const normalised = [
  { priority: 0, type: 'URL_DECODE' },
  { priority: 1, type: 'NORMALIZE_PATH' },
];
const visibility = (name: string) => ({
  cloudWatchMetricsEnabled: true,
  metricName: name,
  sampledRequestsEnabled: true,
});
const anyOf = (statements: Statement[]): Statement =>
  statements.length === 1 && statements[0] ? statements[0] : { orStatement: { statements } };
const errorBody = (code: string, message: string) => ({
  contentType: 'APPLICATION_JSON',
  content: JSON.stringify({ error: { code, message } }),
});

/** The routes the container serves (the ALB sees no others). */
const servedRoutes = (): RouteSpec[] =>
  allRoutes.filter((r) => (containerFunctions as readonly string[]).includes(r.function));

export class AlbWebAcl extends Construct {
  readonly acl: CfnWebACL;

  constructor(scope: Construct, id: string, props: { config: SwitchboardConfig; logsKey: IKey }) {
    super(scope, id);
    const { config } = props;
    this.acl = new CfnWebACL(this, 'Acl', {
      scope: 'REGIONAL',
      description: 'Switchboard API on ECS: managed rules and per-viewer rate limits',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('SwitchboardApiAlb'),
      customResponseBodies: {
        rateLimited: errorBody('rate_limited', 'Too many requests. Slow down and retry.'),
        forbidden: errorBody('forbidden', 'This route is not available from your network.'),
      },
      rules: this.rules(config),
    });
    this.log(this.acl, props.logsKey, config);
  }

  private rules(config: SwitchboardConfig): Rule[] {
    const routes = servedRoutes();
    const rules: Rule[] = [];
    const forwarded = { headerName: viewerIpHeader, fallbackBehavior: 'MATCH' };
    const rate = (name: string, priority: number, limit: number, scopeDown?: Statement): Rule => ({
      name,
      priority,
      action: {
        block: { customResponse: { responseCode: 429, customResponseBodyKey: 'rateLimited' } },
      },
      statement: {
        rateBasedStatement: {
          limit,
          evaluationWindowSec: 300,
          aggregateKeyType: 'FORWARDED_IP',
          forwardedIpConfig: forwarded,
          scopeDownStatement: scopeDown,
        },
      },
      visibilityConfig: visibility(name),
    });

    const admin = routes.filter((r) => r.access.kind === 'platformAdmin');
    if (config.adminAllowCidrs.length > 0 && admin.length > 0) {
      rules.push({
        name: 'AdminAllowList',
        priority: 0,
        action: {
          block: { customResponse: { responseCode: 403, customResponseBodyKey: 'forbidden' } },
        },
        statement: {
          andStatement: {
            statements: [
              {
                regexMatchStatement: {
                  regexString: routeTreeRegex(admin, ''),
                  fieldToMatch: { uriPath: {} },
                  textTransformations: normalised,
                },
              },
              { notStatement: { statement: anyOf(this.adminIpSets(config.adminAllowCidrs)) } },
            ],
          },
        },
        visibilityConfig: visibility('AdminAllowList'),
      });
    }

    rules.push(rate('RatePerIp', 100, config.waf.ratePer5MinPerIp));
    const publicWrites = routes.filter((r) => r.access.kind === 'public' && r.method !== 'GET');
    if (publicWrites.length > 0) {
      const byMethod = [...new Set(publicWrites.map((r) => r.method))].map((method): Statement => ({
        andStatement: {
          statements: [
            {
              byteMatchStatement: {
                fieldToMatch: { method: {} },
                positionalConstraint: 'EXACTLY',
                searchString: method,
                textTransformations: none,
              },
            },
            anyOf(
              routesRegexes(
                publicWrites.filter((r) => r.method === method).map((r) => r.path),
                '',
              ).map((regex) => ({
                regexMatchStatement: {
                  regexString: regex,
                  fieldToMatch: { uriPath: {} },
                  textTransformations: none,
                },
              })),
            ),
          ],
        },
      }));
      rules.push(
        rate('PublicWriteRatePerIp', 101, config.waf.publicWriteRatePer5MinPerIp, anyOf(byMethod)),
      );
    }
    const managed = (name: string, priority: number, overrides: string[] = []): Rule => ({
      name: `AWS-${name}`,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ruleActionOverrides: overrides.map((rule) => ({
            name: rule,
            actionToUse: { count: {} },
          })),
        },
      },
      visibilityConfig: visibility(`AWS-${name}`),
    });
    rules.push(
      // Bodies are capped per route by the app; the group's blanket 8 KB limit would break them.
      managed('AWSManagedRulesCommonRuleSet', 200, ['SizeRestrictions_BODY']),
      managed('AWSManagedRulesKnownBadInputsRuleSet', 201),
      managed('AWSManagedRulesSQLiRuleSet', 202),
    );
    return rules;
  }

  private adminIpSets(cidrs: string[]): Statement[] {
    const forwarded = {
      headerName: viewerIpHeader,
      fallbackBehavior: 'NO_MATCH',
      position: 'FIRST',
    };
    return (['IPV4', 'IPV6'] as const)
      .map((version) => ({
        version,
        addresses: cidrs.filter((c) => c.includes(':') === (version === 'IPV6')),
      }))
      .filter((set) => set.addresses.length > 0)
      .map(({ version, addresses }) => {
        const set = new CfnIPSet(this, `Admin${version}`, {
          scope: 'REGIONAL',
          ipAddressVersion: version,
          addresses,
        });
        return { ipSetReferenceStatement: { arn: set.attrArn, ipSetForwardedIpConfig: forwarded } };
      });
  }

  private log(acl: CfnWebACL, key: IKey, config: SwitchboardConfig): void {
    const name = `aws-waf-logs-${Stack.of(this).stackName}-alb`;
    const group = new LogGroup(this, 'Logs', {
      logGroupName: name,
      retention: config.logRetentionDays,
      encryptionKey: key,
    });
    const arn = Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: name,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const logging = new CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: acl.attrArn,
      logDestinationConfigs: [arn],
      redactedFields: [
        { singleHeader: { Name: 'authorization' } },
        { singleHeader: { Name: 'cookie' } },
      ],
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: [
              { ActionCondition: { Action: 'BLOCK' } },
              { ActionCondition: { Action: 'COUNT' } },
            ],
          },
        ],
      },
    });
    logging.node.addDependency(group);
  }
}
