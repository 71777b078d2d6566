import { awsRuntime } from '../aws/deps';
import { createLiveAuthorizer } from '../aws/live-socket-handlers';

// The live WebSocket API's $connect -> here (REQUEST authorizer, identity source the `ticket`
// query string, no result cache): takes the ticket once, answers Allow with who it was issued to.
const { db, log } = awsRuntime('LiveAuthorizer');

export const handler = createLiveAuthorizer({ db, log });
