/* backstop: the last guard of a deadline promised to a scheduler. If the process is still running
 * at the given time (a write to stdout that blocks, a bug anywhere), it writes one line to stdout
 * and exits 3. Both programs arm it once, in main(). */
#ifndef PROBE_BACKSTOP_H
#define PROBE_BACKSTOP_H

/* Arms a SIGALRM timer at_s seconds from now (> 0). line (static storage, ending in "\n") is
 * written when it fires; if that write blocks too, the process exits 3 a second later. */
void backstop_arm(double at_s, const char *line);

#endif
