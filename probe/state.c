/* state: names and ordering of the Nagios states. */
#include "probe/state.h"

static const char *const state_names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
static const int state_rank[] = {0, 2, 3, 1};

const char *state_str(enum state s)
{
	return (unsigned)s <= STATE_UNKNOWN ? state_names[s] : "UNKNOWN";
}

enum state state_max(enum state a, enum state b)
{
	if ((unsigned)a > STATE_UNKNOWN)
		a = STATE_UNKNOWN;
	if ((unsigned)b > STATE_UNKNOWN)
		b = STATE_UNKNOWN;
	return state_rank[a] >= state_rank[b] ? a : b;
}
