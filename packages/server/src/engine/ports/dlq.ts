/** Inspecting and redriving a dead-letter queue: SQS in AWS, LocalQueue in the sandbox. */
export type DeadLetterMessage = { id: string; body: string; receiveCount: number; sentAt: string };

export type DeadLetterAdmin = {
  list(limit: number): Promise<DeadLetterMessage[]>;
  /** Moves the given messages (or all) back to the source queue; returns how many moved. */
  redrive(ids?: string[]): Promise<number>;
};
