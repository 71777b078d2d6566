import { Stack } from 'aws-cdk-lib';
import {
  ConfigurationSet,
  ConfigurationSetTlsPolicy,
  EmailIdentity,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { SwitchboardConfig } from './config';

// Outgoing mail (password resets, invitations) through Amazon SES: the sending domain as a
// verified identity with Easy DKIM, and one configuration set every message goes through (TLS
// required, bounces and complaints suppressed, reputation metrics). The DKIM CNAMEs to publish
// come out as the identity's `dkimRecords` (the console lists them too); until they are in DNS
// and the account leaves the SES sandbox, SES accepts mail only to verified addresses.

export type MailProps = { config: SwitchboardConfig };

export class Mail extends Construct {
  readonly identity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  /** The sender every function that mails uses (`ses:FromAddress`). */
  readonly fromAddress: string;
  readonly configurationSetArn: string;

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    const { mail } = props.config;
    this.fromAddress = mail.fromAddress;
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: Identity.domain(mail.domain),
      configurationSet: this.configurationSet,
    });
    this.configurationSetArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });
  }
}
