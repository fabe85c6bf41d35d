/**
 * `node --import` this to hold the loading of one module of the program at a point a test controls:
 * when the module whose URL ends with $VRRPWATCH_TEST_HOLD is asked for, the file $VRRPWATCH_TEST_HELD
 * is written, and the load waits until the file $VRRPWATCH_TEST_RELEASE exists. The program runs on
 * meanwhile (its signal handlers included); only that import waits.
 */
import { register } from 'node:module';

register('./hold-module-hooks.js', import.meta.url);
