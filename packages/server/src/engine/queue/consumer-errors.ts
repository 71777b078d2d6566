// What a queue consumer's record handler throws to say how a record failed. Any other error is a
// plain failure: the record goes back to the queue and is retried after its visibility timeout.
// DatabaseUnavailableError (engine/errors.ts) counts as a RetryLaterError with its Retry-After.

export class QueueConsumerError extends Error {
  override readonly name: string = 'QueueConsumerError';
}

/**
 * A record that can never succeed as it is (a body that is not what the queue carries, an entry
 * that cannot be read). It is reported as failed like any other, so after `maxReceiveCount`
 * receives the redrive policy moves it to the DLQ, where an admin can look at it and replay it
 * after a fix; its name in the logs tells it apart from a bug or an outage.
 */
export class PoisonRecordError extends QueueConsumerError {
  override readonly name = 'PoisonRecordError';
}

/** A transient failure that knows when to try again (backoff, or the remote's Retry-After). */
export class RetryLaterError extends QueueConsumerError {
  override readonly name = 'RetryLaterError';
  constructor(
    message: string,
    /** Seconds before the record should be received again. */
    readonly delaySeconds: number,
  ) {
    super(message);
  }
}
