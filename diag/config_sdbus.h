/* config_sdbus.h: the unit as systemd itself merged it (fragment, drop-ins, specifiers), read
 * over sd-bus from org.freedesktop.systemd1. The conversion of a Properties.GetAll reply into
 * struct diag_unit is separate from the bus calls, so it is tested without a bus. */
#ifndef DIAG_CONFIG_SDBUS_H
#define DIAG_CONFIG_SDBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-bus.h>

#include "diag/config_unit.h"

#define CONFIG_SDBUS_TIMEOUT_USEC 1000000ull

/* Reads a GetAll reply (a{sv}) of org.freedesktop.systemd1.Service: ExecStart
 * (a(sasbttttuii): the last command's argv, quoted back into one line for
 * config_apply_cmdline, since systemd expands $VAR only when it starts the process),
 * Environment (as), EnvironmentFiles (a(sb)), User (s), Group (s). Returns 0 or a negative errno
 * (a reply of another shape). */
int config_sdbus_read_service(sd_bus_message *m, struct diag_unit *u);
/* Reads a GetAll reply of org.freedesktop.systemd1.Unit: LoadState, ActiveState, FragmentPath,
 * DropInPaths. Returns 0 or a negative errno. */
int config_sdbus_read_unit(sd_bus_message *m, struct diag_unit *u);

/* True when systemd runs the host (sd_booted(): /run/systemd/system exists). */
bool config_sdbus_available(void);
/* Asks systemd for unit (e.g. "etcd.service") on the system bus, or on systemd's private socket
 * when that fails, every call bounded by timeout_usec. Returns 0 with *u filled (u->load_state
 * says whether the unit exists), or a negative errno with err naming the step. */
int config_sdbus_load(const char *unit, uint64_t timeout_usec, struct diag_unit *u, char *err,
		      size_t errlen);

#endif
