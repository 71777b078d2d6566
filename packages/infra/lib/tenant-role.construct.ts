import { Duration } from 'aws-cdk-lib';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import {
  AccountRootPrincipal,
  ArnPrincipal,
  PolicyDocument,
  PolicyStatement,
  Role,
  type IRole,
} from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { Data } from './data.construct';
import { tableStatements, tenantTableActions } from './function-policy';
import type { Keys } from './keys.construct';

/** The partition-key prefixes a tenant session may touch (see data/keys.ts: `TENANT#<id>...`). */
export const tenantLeadingKeys = [
  'TENANT#${aws:PrincipalTag/TenantId}',
  'TENANT#${aws:PrincipalTag/TenantId}#*',
];

/**
 * The second wall behind the app's tenant checks: a role that tenant-scoped code assumes with a
 * `TenantId` session tag, whose table access is limited by `dynamodb:LeadingKeys` to that tenant's
 * partitions. A bug that builds another tenant's key then fails in IAM, not just in review.
 */
export class TenantDataRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: { data: Data; keys: Keys; assumers: IRole[] }) {
    super(scope, id);
    const [tableAccess, keyAccess] = tableStatements('readwrite', props);
    if (!tableAccess || !keyAccess) throw new Error('table statements missing');

    const assume = new PolicyDocument({
      statements: [
        // Sessions must carry a non-empty TenantId tag, which the caller sets (sts:TagSession).
        new PolicyStatement({
          sid: 'TenantTaggedSessionsOnly',
          principals: props.assumers.map((r) => new ArnPrincipal(r.roleArn)),
          actions: ['sts:AssumeRole', 'sts:TagSession'],
          conditions: { StringLike: { 'aws:RequestTag/TenantId': '?*' } },
        }),
      ],
    });
    this.role = new Role(this, 'TenantDataAccessRole', {
      description: 'Switchboard: one tenant table partitions, chosen by the TenantId session tag',
      assumedBy: new AccountRootPrincipal(),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: {
        TenantItems: new PolicyDocument({
          statements: [
            new PolicyStatement({
              sid: 'TenantItemsOnly',
              actions: tenantTableActions,
              resources: tableAccess.resources,
              conditions: {
                'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': tenantLeadingKeys },
              },
            }),
            keyAccess,
          ],
        }),
      },
    });
    // The trust policy is exactly the statement above (Role's own would allow untagged sessions).
    (this.role.node.defaultChild as CfnRole).assumeRolePolicyDocument = assume;
  }
}
