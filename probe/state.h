/* state: the four Nagios plugin states and how they combine. */
#ifndef PROBE_STATE_H
#define PROBE_STATE_H

enum state { STATE_OK = 0, STATE_WARNING = 1, STATE_CRITICAL = 2, STATE_UNKNOWN = 3 };

/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *state_str(enum state s);

/* The worse of two states: CRITICAL > WARNING > UNKNOWN > OK (monitoring-plugins'
 * max_state_alt: a definite problem outranks "could not tell"). */
enum state state_max(enum state a, enum state b);

#endif
