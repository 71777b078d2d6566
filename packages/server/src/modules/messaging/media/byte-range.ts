// Byte ranges of a served attachment, so `<video>` and `<audio>` can seek (the sandbox's asset
// route; CloudFront does the same from S3 deployed).

/**
 * One `bytes=a-b`, `bytes=a-` or `bytes=-n` range within `size` bytes (RFC 9110 §14.1.2), or
 * undefined: no Range, several ranges, or one that cannot be served, answered with the whole file
 * as the RFC allows.
 */
export function byteRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match || size === 0) return undefined;
  const [, from, to] = match;
  if (!from && !to) return undefined;
  let start: number;
  let end: number;
  if (!from) {
    start = Math.max(0, size - Number(to));
    end = size - 1;
  } else {
    start = Number(from);
    end = to ? Math.min(Number(to), size - 1) : size - 1;
  }
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start > end || start >= size) {
    return undefined;
  }
  return { start, end };
}
