// The load run, short mode (reliability-suites.ts, load-run.ts): 10 small uploads with a sync and watch mode.
import { loadSuite } from './reliability-suites';

loadSuite('load (short)', { uploads: 10, fileSize: 192 * 1024, notes: 1500, watchNotes: 200 });
