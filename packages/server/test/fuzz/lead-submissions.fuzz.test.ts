import { it } from 'vitest';

// Lead submissions against random form definitions: valid ones accepted, invalid ones answered 422
// with the fields named, never a 5xx. The leads API (issue 5) was still landing when the fuzzers
// were written; the routes it added are already covered by api-routes.fuzz.test.ts.
it.todo(
  'accepts every valid submission to a random form definition and answers 422 naming the fields for invalid ones (needs the leads flow of issue 5 to settle)',
);
