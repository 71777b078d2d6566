import { awsRuntime, liveConnectionsOf } from '../aws/deps';
import { createLiveSocketHandler } from '../aws/live-socket-handlers';

// The live WebSocket API's $connect (after its authorizer), $disconnect and $default -> here:
// the connections table follows the sockets; a ping is answered with a pong.
const { db, log } = awsRuntime('LiveSocket');

export const handler = createLiveSocketHandler({ db, connections: liveConnectionsOf(), log });
