// The body-size guard every JSON route uses: over the limit is 413 `payload_too_large`, before
// any of the body is parsed.

import { bodyLimit } from 'hono/body-limit';
import { ApiError } from './problem.js';

export function jsonBodyLimit(maxSize: number) {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError('payload_too_large', `the body exceeds ${maxSize} bytes`);
    },
  });
}
