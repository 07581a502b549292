// Crash safety of uploads, long mode (`npm run test:long`): 50 iterations.
import { uploadCrashSuite } from './reliability-suites';

uploadCrashSuite('upload crash (long)', 50);
