/** Raised when a function reaches for something its topology entry did not grant it. */
export class NotGrantedError extends Error {
  override readonly name = 'NotGrantedError';
}

/**
 * A stand-in for a dependency this function was not granted (see topology.ts): any use throws, so
 * a wiring mistake fails loudly instead of calling AWS without permission or with an empty secret.
 */
export function unavailable<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get(_target, prop) {
      // Not a thenable, and inspectable by loggers: only real uses throw.
      if (prop === 'then' || typeof prop === 'symbol') return undefined;
      throw new NotGrantedError(`${what} is not available to this function (see topology.ts)`);
    },
  });
}
