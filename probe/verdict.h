/* verdict: judges the check facts against the thresholds: a state and a one-line reason per
 * endpoint, and the cluster's state and summary (quorum, leader, cluster ID, alarms). Pure. */
#ifndef PROBE_VERDICT_H
#define PROBE_VERDICT_H

#include <stddef.h>
#include <stdint.h>

#include "probe/facts.h"
#include "probe/state.h"
#include "probe/thresholds.h"

#define VERDICT_TEXT_LEN 512

struct endpoint_verdict {
	enum state state;
	char reason[VERDICT_TEXT_LEN]; /* "" when all is well */
};

struct verdict {
	enum state state;
	char summary[VERDICT_TEXT_LEN];
	uint64_t cluster_id;      /* the majority's, 0 if unknown */
	uint64_t leader_id;       /* agreed leader, 0 if none or disagreement */
	size_t voting_members;    /* size of the member list less learners (or endpoints) */
	size_t healthy_members;   /* distinct healthy voting members seen */
	size_t quorum;            /* voting_members / 2 + 1 */
	bool quorum_ok;
	struct endpoint_verdict eps[FACTS_MAX_ENDPOINTS];
};

/* Computes *ret from the facts. Always succeeds. */
void verdict_compute(const struct check_facts *f, const struct thresholds *t,
		     struct verdict *ret);

/* Days from now until t, rounded down (negative when past). */
long verdict_days_left(time_t now, time_t t);

#endif
