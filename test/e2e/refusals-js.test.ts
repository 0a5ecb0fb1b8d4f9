// Refusals shown with JavaScript on (hx-boost, htmx responseHandling): see refusals-suite.ts.
import { refusalSuite } from './refusals-suite.ts';

refusalSuite(true);
