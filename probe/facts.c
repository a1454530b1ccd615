/* facts: ownership and small look-ups over the check facts. */
#include "probe/facts.h"

#include <stdio.h>
#include <stdlib.h>

void check_facts_free(struct check_facts *f)
{
	if (!f)
		return;
	free(f->eps);
	f->eps = NULL;
	f->n_eps = 0;
}

const char *alarm_type_str(int type, char buf[16])
{
	static const char *const names[] = {"NONE", "NOSPACE", "CORRUPT"};
	if (type >= 0 && type <= ALARM_CORRUPT)
		return names[type];
	snprintf(buf, 16, "ALARM%d", type);
	return buf;
}

const struct member_fact *facts_member_by_id(const struct check_facts *f, uint64_t id)
{
	for (size_t i = 0; i < f->n_members; i++)
		if (f->members[i].id == id)
			return &f->members[i];
	return NULL;
}
