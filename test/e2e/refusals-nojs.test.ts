// Refusals shown with JavaScript off (plain forms, the same pages): see refusals-suite.ts.
import { refusalSuite } from './refusals-suite.ts';

refusalSuite(false);
