// Crash safety of wallet sync, short mode: a few iterations (reliability-suites.ts, sync-crash.ts).
import { syncCrashSuite } from './reliability-suites';

syncCrashSuite('sync crash (short)', 4, 1200);
