import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnIPSet, CfnLoggingConfiguration, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { SwitchboardConfig } from './config';
import type { RouteSpec } from './server';
import { allRoutes } from './topology-reader';
import { routesRegexes, routeTreeRegex } from './waf-paths';

type Rule = CfnWebACL.RuleProperty;
type Statement = CfnWebACL.StatementProperty;

const none = [{ priority: 0, type: 'NONE' }];
// Decode and normalise before an allow-list check, so `%2F` and `/./` cannot slip past it.
const normalised = [
  { priority: 0, type: 'URL_DECODE' },
  { priority: 1, type: 'NORMALIZE_PATH' },
];
/** The largest body WAF can inspect on API Gateway (the association's inspection limit). */
const maxInspectableBytes = 64 * 1024;
const inspectionLimits = ['KB_16', 'KB_32', 'KB_48', 'KB_64'] as const;

const visibility = (name: string) => ({
  cloudWatchMetricsEnabled: true,
  metricName: name,
  sampledRequestsEnabled: true,
});
const ruleName = (text: string) => text.replace(/[^0-9A-Za-z_-]/g, '-');

const pathMatches = (regex: string, transforms = none): Statement => ({
  regexMatchStatement: {
    regexString: regex,
    fieldToMatch: { uriPath: {} },
    textTransformations: transforms,
  },
});
const anyOf = (statements: Statement[]): Statement =>
  statements.length === 1 && statements[0] ? statements[0] : { orStatement: { statements } };
const not = (statement: Statement): Statement => ({ notStatement: { statement } });
const methodIs = (method: string): Statement => ({
  byteMatchStatement: {
    fieldToMatch: { method: {} },
    positionalConstraint: 'EXACTLY',
    searchString: method,
    textTransformations: none,
  },
});

function managedGroup(
  name: string,
  priority: number,
  opts: { overrides?: string[]; scopeDown?: Statement } = {},
): Rule {
  return {
    name: `AWS-${name}`,
    priority,
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name,
        ruleActionOverrides: opts.overrides?.map((rule) => ({
          name: rule,
          actionToUse: { count: {} },
        })),
        scopeDownStatement: opts.scopeDown,
      },
    },
    visibilityConfig: visibility(`AWS-${name}`),
  };
}

function errorBody(code: string, message: string) {
  return { contentType: 'APPLICATION_JSON', content: JSON.stringify({ error: { code, message } }) };
}

/**
 * The two web ACLs: REGIONAL for the API stage, CLOUDFRONT for both distributions (that scope
 * exists only in us-east-1, hence the stack's region). Both carry the AWS common, known-bad-inputs
 * and SQLi rule groups and a per-IP rate limit; the API's adds route-derived rules: body-size
 * guards, a stricter limit on public writes (sign-in), and the optional admin IP allow-list.
 * Only blocked or counted requests are logged, without Authorization or Cookie headers.
 */
export class WebAcls extends Construct {
  readonly api: CfnWebACL;
  readonly cdn: CfnWebACL;

  constructor(scope: Construct, id: string, props: { config: SwitchboardConfig; logsKey: IKey }) {
    super(scope, id);
    const { config } = props;

    this.api = new CfnWebACL(this, 'ApiAcl', {
      scope: 'REGIONAL',
      description: 'Switchboard API: managed rules, rate limits, body-size guards per route',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('SwitchboardApi'),
      customResponseBodies: {
        payloadTooLarge: errorBody('payload_too_large', 'The request body is too large.'),
        rateLimited: errorBody('rate_limited', 'Too many requests. Slow down and retry.'),
        forbidden: errorBody('forbidden', 'This route is not available from your network.'),
      },
      associationConfig: {
        requestBody: {
          API_GATEWAY: { defaultSizeInspectionLimit: this.inspectionLimit() },
        },
      },
      rules: this.apiRules(config),
    });

    this.cdn = new CfnWebACL(this, 'CdnAcl', {
      scope: 'CLOUDFRONT',
      description: 'Switchboard web app and tenant assets',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('SwitchboardCdn'),
      customResponseBodies: {
        rateLimited: errorBody('rate_limited', 'Too many requests. Slow down and retry.'),
      },
      rules: [
        managedGroup('AWSManagedRulesCommonRuleSet', 10),
        managedGroup('AWSManagedRulesKnownBadInputsRuleSet', 11),
        managedGroup('AWSManagedRulesSQLiRuleSet', 12),
        this.rateRule('RatePerIp', 20, config.waf.cdnRatePer5MinPerIp),
      ],
    });

    this.log('api', this.api, props.logsKey, config);
    this.log('cdn', this.cdn, props.logsKey, config);
  }

  private inspectionLimit(): string {
    const largest = Math.max(16 * 1024, ...bodyLimitGroups().map((g) => g.maxBodyBytes));
    return inspectionLimits[Math.ceil(largest / (16 * 1024)) - 1] ?? 'KB_64';
  }

  private rateRule(name: string, priority: number, limit: number, scopeDown?: Statement): Rule {
    return {
      name,
      priority,
      action: {
        block: { customResponse: { responseCode: 429, customResponseBodyKey: 'rateLimited' } },
      },
      statement: {
        rateBasedStatement: {
          limit,
          evaluationWindowSec: 300,
          aggregateKeyType: 'IP',
          scopeDownStatement: scopeDown,
        },
      },
      visibilityConfig: visibility(name),
    };
  }

  private apiRules(config: SwitchboardConfig): Rule[] {
    const stage = config.apiStageName;
    const rules: Rule[] = [];
    // Routes by method: `method AND path in (...)`, one regex per few routes.
    const routesStatement = (selected: RouteSpec[]): Statement =>
      anyOf(
        [...new Set(selected.map((r) => r.method))].map((method) => ({
          andStatement: {
            statements: [
              methodIs(method),
              anyOf(
                routesRegexes(
                  selected.filter((r) => r.method === method).map((r) => r.path),
                  stage,
                ).map((regex) => pathMatches(regex)),
              ),
            ],
          },
        })),
      );

    if (config.adminAllowCidrs.length > 0) {
      const adminRoutes = allRoutes.filter((r) => r.access.kind === 'platformAdmin');
      rules.push({
        name: 'AdminAllowList',
        priority: 0,
        action: {
          block: { customResponse: { responseCode: 403, customResponseBodyKey: 'forbidden' } },
        },
        statement: {
          andStatement: {
            statements: [
              pathMatches(routeTreeRegex(adminRoutes, stage), normalised),
              not(anyOf(this.adminIpSets(config.adminAllowCidrs))),
            ],
          },
        },
        visibilityConfig: visibility('AdminAllowList'),
      });
    }

    // Body-size guards for every route whose limit WAF can see (the app enforces the rest): one
    // rule per method and limit, so the rule count grows with distinct limits, not routes.
    bodyLimitGroups().forEach((group, index) => {
      const name = ruleName(`BodyLimit-${group.method}-${group.maxBodyBytes}`);
      rules.push({
        name,
        priority: 1 + index,
        action: {
          block: {
            customResponse: { responseCode: 413, customResponseBodyKey: 'payloadTooLarge' },
          },
        },
        statement: {
          andStatement: {
            statements: [
              methodIs(group.method),
              anyOf(routesRegexes(group.paths, stage).map((regex) => pathMatches(regex))),
              {
                sizeConstraintStatement: {
                  fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
                  comparisonOperator: 'GT',
                  size: group.maxBodyBytes,
                  textTransformations: none,
                },
              },
            ],
          },
        },
        visibilityConfig: visibility(name),
      });
    });

    // Meta's webhooks come from few IPs in bursts and are authenticated by HMAC: they are exempt
    // from the per-IP limit and from body inspection (a customer's message may look like SQL).
    const signed = allRoutes.filter((r) => r.access.kind === 'signature');
    const notSigned = signed.length > 0 ? not(routesStatement(signed)) : undefined;
    const publicWrites = allRoutes.filter((r) => r.access.kind === 'public' && r.method !== 'GET');

    rules.push(this.rateRule('RatePerIp', 100, config.waf.ratePer5MinPerIp, notSigned));
    if (publicWrites.length > 0) {
      rules.push(
        this.rateRule(
          'PublicWriteRatePerIp',
          101,
          config.waf.publicWriteRatePer5MinPerIp,
          routesStatement(publicWrites),
        ),
      );
    }
    rules.push(
      // Bodies are capped per route above; the group's blanket 8 KB body limit would break them.
      managedGroup('AWSManagedRulesCommonRuleSet', 200, {
        overrides: ['SizeRestrictions_BODY'],
        scopeDown: notSigned,
      }),
      managedGroup('AWSManagedRulesKnownBadInputsRuleSet', 201, { scopeDown: notSigned }),
      managedGroup('AWSManagedRulesSQLiRuleSet', 202, { scopeDown: notSigned }),
    );
    return rules;
  }

  private adminIpSets(cidrs: string[]): Statement[] {
    const v6 = cidrs.filter((c) => c.includes(':'));
    const v4 = cidrs.filter((c) => !c.includes(':'));
    const sets: Statement[] = [];
    if (v4.length > 0) {
      const set = new CfnIPSet(this, 'AdminIpv4', {
        scope: 'REGIONAL',
        ipAddressVersion: 'IPV4',
        addresses: v4,
      });
      sets.push({ ipSetReferenceStatement: { arn: set.attrArn } });
    }
    if (v6.length > 0) {
      const set = new CfnIPSet(this, 'AdminIpv6', {
        scope: 'REGIONAL',
        ipAddressVersion: 'IPV6',
        addresses: v6,
      });
      sets.push({ ipSetReferenceStatement: { arn: set.attrArn } });
    }
    return sets;
  }

  private log(which: string, acl: CfnWebACL, key: IKey, config: SwitchboardConfig): void {
    // WAF only logs to groups named aws-waf-logs-*, given by ARN without the `:*` suffix.
    const name = `aws-waf-logs-${Stack.of(this).stackName}-${which}`;
    const group = new LogGroup(this, `${which}Logs`, {
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
    const logging = new CfnLoggingConfiguration(this, `${which}Logging`, {
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

export type BodyLimitGroup = { method: string; maxBodyBytes: number; paths: string[] };

/** Routes with a body limit small enough for WAF to inspect, grouped by method and limit. */
export function bodyLimitGroups(): BodyLimitGroup[] {
  const groups = new Map<string, BodyLimitGroup>();
  for (const route of allRoutes) {
    const limit = route.maxBodyBytes;
    if (limit === undefined || limit > maxInspectableBytes) continue;
    const key = `${route.method} ${limit}`;
    const group = groups.get(key) ?? { method: route.method, maxBodyBytes: limit, paths: [] };
    group.paths.push(route.path);
    groups.set(key, group);
  }
  return [...groups.values()];
}
