/** Child that leaves an interval behind: proves the "exits on its own" check catches a leak. */
import { reportResult } from '../lib/child.js';

setInterval(() => {}, 1000);
reportResult({ leaked: 'interval' });
