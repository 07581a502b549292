// The load run, long mode (`npm run test:long`): 10 uploads of 8 MiB with a sync of 10,000 notes and watch mode.
import { loadSuite } from './reliability-suites';

loadSuite('load (long)', { uploads: 10, fileSize: 8 * 1024 * 1024, notes: 10_000, watchNotes: 1000 });
