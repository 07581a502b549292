// Crash safety of wallet sync, long mode (`npm run test:long`): 50 iterations on a bigger log.
import { syncCrashSuite } from './reliability-suites';

syncCrashSuite('sync crash (long)', 50, 2000);
