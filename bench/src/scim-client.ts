/**
 * The child process of `bench:scim --client-process`: runs the ingest phase against the server
 * whose plan (`IngestPlan`, JSON) is its argument and sends the result to its parent.
 */
import { type IngestPlan, runIngest } from './scim-ingest.js';

const plan = JSON.parse(process.argv[2] ?? '{}') as IngestPlan;
const result = await runIngest(plan);
process.send?.(result, () => process.exit(0));
