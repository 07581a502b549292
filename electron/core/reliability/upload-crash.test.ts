// Crash safety of uploads, short mode: a few iterations (reliability-suites.ts, upload-crash.ts).
import { uploadCrashSuite } from './reliability-suites';

uploadCrashSuite('upload crash (short)', 4);
