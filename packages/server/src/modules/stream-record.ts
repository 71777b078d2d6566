import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Item } from '../engine/data/dynamo';
import type { StreamRecord } from '../engine/ports/change-stream';

// One table change as the domain modules read it: a DynamoDB Streams record (NEW_AND_OLD_IMAGES)
// with its images unmarshalled. The same shape arrives from DynamoDB Streams in AWS and from the
// sandbox's change feed (engine/local/change-feed.ts).

export type ItemChange = {
  /** The stream record's own id: the same on every redelivery of the record. */
  eventId: string;
  sequenceNumber: string;
  kind: 'INSERT' | 'MODIFY' | 'REMOVE';
  pk: string;
  sk: string;
  oldImage?: Item;
  newImage?: Item;
};

const image = (value: Record<string, unknown> | undefined): Item | undefined =>
  value ? unmarshall(value as Record<string, AttributeValue>) : undefined;

/** The change a record describes; undefined for a record without keys or a known event name. */
export function itemChangeOf(record: StreamRecord): ItemChange | undefined {
  const data = record.dynamodb;
  const kind = record.eventName;
  const keys = image(data?.Keys as Record<string, unknown> | undefined);
  if (!data || !kind || !keys || typeof keys.PK !== 'string' || typeof keys.SK !== 'string') {
    return undefined;
  }
  return {
    eventId: record.eventID ?? '',
    sequenceNumber: data.SequenceNumber ?? '',
    kind,
    pk: keys.PK,
    sk: keys.SK,
    oldImage: image(data.OldImage as Record<string, unknown> | undefined),
    newImage: image(data.NewImage as Record<string, unknown> | undefined),
  };
}

/** The tenant of a tenant-partition item (`TENANT#<id>` exactly, no sub-partition). */
export function tenantOfPk(pk: string): string | undefined {
  if (!pk.startsWith('TENANT#')) return undefined;
  const id = pk.slice('TENANT#'.length);
  return id.length > 0 && !id.includes('#') ? id : undefined;
}
