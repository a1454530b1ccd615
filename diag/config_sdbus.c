/* config_sdbus.c: the etcd unit as systemd merged it, over sd-bus. */
#include "diag/config_sdbus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "diag/text.h"

/* Quotes argv back into one command line config_apply_cmdline splits again: a whole-word $VAR
 * stays bare (systemd splits it on blanks), every other word goes into "..." with " and \
 * escaped. Returns 0 or -E2BIG. */
static int argv_to_line(char **argv, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; argv && argv[i]; i++) {
		const char *w = argv[i];
		size_t n = strlen(w);
		bool bare = n > 1 && w[0] == '$' && config_env_valid_key(w + 1, n - 1);
		if (o + 2 * n + 4 >= cap)
			return -E2BIG;
		if (o)
			out[o++] = ' ';
		if (!bare)
			out[o++] = '"';
		for (const char *c = w; *c; c++) {
			if (!bare && (*c == '"' || *c == '\\'))
				out[o++] = '\\';
			out[o++] = *c;
		}
		if (!bare)
			out[o++] = '"';
		out[o] = '\0';
	}
	return 0;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int read_exec_start(sd_bus_message *m, struct diag_unit *u)
{
	int r = sd_bus_message_enter_container(m, 'a', "(sasbttttuii)");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'r', "sasbttttuii")) > 0) {
		const char *path;
		char **argv = NULL;
		r = sd_bus_message_read(m, "s", &path);
		if (r >= 0)
			r = sd_bus_message_read_strv(m, &argv);
		if (r >= 0)
			r = sd_bus_message_skip(m, "bttttuii");
		if (r >= 0) /* the last command is the one a simple service runs */
			r = argv_to_line(argv, u->exec_start, sizeof(u->exec_start));
		strv_free(argv);
		if (r < 0)
			return r;
		u->exec_source = u->env.cur_source;
		r = sd_bus_message_exit_container(m);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

static int read_environment(sd_bus_message *m, struct diag_unit *u)
{
	char **v = NULL;
	int r = sd_bus_message_read_strv(m, &v);
	for (size_t i = 0; r >= 0 && v && v[i]; i++) {
		char *eq = strchr(v[i], '=');
		if (!eq || !config_env_valid_key(v[i], (size_t)(eq - v[i])))
			continue;
		*eq = '\0';
		int s = config_env_set(&u->env, v[i], eq + 1);
		if (s < 0)
			r = s;
	}
	strv_free(v);
	return r;
}

static int read_env_files(sd_bus_message *m, struct diag_unit *u)
{
	int r = sd_bus_message_enter_container(m, 'a', "(sb)");
	if (r < 0)
		return r;
	const char *path;
	int optional;
	while ((r = sd_bus_message_read(m, "(sb)", &path, &optional)) > 0) {
		if (u->n_env_files >= CONFIG_ENV_FILES_MAX)
			return -E2BIG;
		text_scopy(u->env_files[u->n_env_files].path, CONFIG_PATH_LEN, path);
		u->env_files[u->n_env_files++].optional = optional;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

static int read_string(sd_bus_message *m, char *out, size_t cap)
{
	const char *s;
	int r = sd_bus_message_read(m, "s", &s);
	if (r >= 0)
		text_scopy(out, cap, s);
	return r;
}

static int read_dropins(sd_bus_message *m, struct diag_unit *u)
{
	char **v = NULL;
	int r = sd_bus_message_read_strv(m, &v);
	u->n_dropins = 0;
	for (size_t i = 0; r >= 0 && v && v[i] && u->n_dropins < CONFIG_DROPINS_MAX; i++)
		text_scopy(u->dropins[u->n_dropins++], CONFIG_PATH_LEN, v[i]);
	strv_free(v);
	return r;
}

/* One property of a GetAll reply: its name, its type, how to read it. */
struct prop {
	const char *name;
	const char *type;
	int (*read)(sd_bus_message *m, struct diag_unit *u);
};

static int read_user(sd_bus_message *m, struct diag_unit *u)
{
	return read_string(m, u->user, sizeof(u->user));
}
static int read_group(sd_bus_message *m, struct diag_unit *u)
{
	return read_string(m, u->group, sizeof(u->group));
}
static int read_load_state(sd_bus_message *m, struct diag_unit *u)
{
	return read_string(m, u->load_state, sizeof(u->load_state));
}
static int read_active_state(sd_bus_message *m, struct diag_unit *u)
{
	return read_string(m, u->active_state, sizeof(u->active_state));
}
static int read_fragment(sd_bus_message *m, struct diag_unit *u)
{
	return read_string(m, u->fragment_path, sizeof(u->fragment_path));
}

static const struct prop service_props[] = {
	{"ExecStart", "a(sasbttttuii)", read_exec_start},
	{"Environment", "as", read_environment},
	{"EnvironmentFiles", "a(sb)", read_env_files},
	{"User", "s", read_user},
	{"Group", "s", read_group},
	{NULL, NULL, NULL},
};

static const struct prop unit_props[] = {
	{"LoadState", "s", read_load_state},
	{"ActiveState", "s", read_active_state},
	{"FragmentPath", "s", read_fragment},
	{"DropInPaths", "as", read_dropins},
	{NULL, NULL, NULL},
};

/* Walks an a{sv}: the properties in the table are read, the others skipped. */
static int read_props(sd_bus_message *m, const struct prop *table, struct diag_unit *u)
{
	int r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		const char *name;
		r = sd_bus_message_read(m, "s", &name);
		if (r < 0)
			return r;
		const struct prop *p = table;
		while (p->name && strcmp(p->name, name) != 0)
			p++;
		if (p->name && sd_bus_message_verify_type(m, 'v', p->type) > 0) {
			r = sd_bus_message_enter_container(m, 'v', p->type);
			if (r >= 0)
				r = p->read(m, u);
			if (r >= 0)
				r = sd_bus_message_exit_container(m);
		} else {
			r = sd_bus_message_skip(m, "v");
		}
		if (r < 0)
			return r;
		r = sd_bus_message_exit_container(m);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

int config_sdbus_read_service(sd_bus_message *m, struct diag_unit *u)
{
	int r = read_props(m, service_props, u);
	return r < 0 ? r : 0;
}

int config_sdbus_read_unit(sd_bus_message *m, struct diag_unit *u)
{
	int r = read_props(m, unit_props, u);
	return r < 0 ? r : 0;
}

bool config_sdbus_available(void)
{
	return sd_booted() > 0;
}

static uint64_t now_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ull + (uint64_t)ts.tv_nsec / 1000;
}

/* A bus on address, every call bounded by timeout_usec (sd-bus's default is 25 s). */
static int bus_open(const char *address, bool bus_client, uint64_t timeout_usec, sd_bus **ret)
{
	sd_bus *bus = NULL;
	int r = sd_bus_new(&bus);
	if (r < 0)
		return r;
	r = sd_bus_set_address(bus, address);
	if (r >= 0)
		r = sd_bus_set_bus_client(bus, bus_client);
	if (r >= 0)
		r = sd_bus_set_method_call_timeout(bus, timeout_usec);
	if (r >= 0)
		r = sd_bus_start(bus);
	/* sd-bus bounds its authentication by 90 s of its own, not by the call timeout: a peer that
	 * accepts and never speaks is waited for here, within timeout_usec */
	if (r >= 0) {
		uint64_t deadline = now_usec() + timeout_usec;
		while ((r = sd_bus_is_ready(bus)) == 0) {
			uint64_t now = now_usec();
			if (now >= deadline) {
				r = -ETIMEDOUT;
				break;
			}
			r = sd_bus_process(bus, NULL);
			if (r > 0)
				continue;
			if (r >= 0)
				r = sd_bus_wait(bus, deadline - now);
			if (r < 0)
				break;
		}
	}
	if (r < 0) {
		sd_bus_unref(bus);
		return r;
	}
	*ret = bus;
	return 0;
}

static int get_all(sd_bus *bus, const char *path, const char *iface, const struct prop *table,
		   struct diag_unit *u, sd_bus_error *e)
{
	sd_bus_message *reply = NULL;
	int r = sd_bus_call_method(bus, "org.freedesktop.systemd1", path,
				   "org.freedesktop.DBus.Properties", "GetAll", e, &reply, "s", iface);
	if (r >= 0)
		r = read_props(reply, table, u);
	sd_bus_message_unref(reply);
	return r;
}

static int ask(sd_bus *bus, const char *unit, struct diag_unit *u, char *err, size_t errlen)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *path;
	char opath[256];
	int r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
				   "org.freedesktop.systemd1.Manager", "LoadUnit", &e, &reply, "s",
				   unit);
	if (r >= 0)
		r = sd_bus_message_read(reply, "o", &path);
	if (r >= 0)
		text_scopy(opath, sizeof(opath), path);
	sd_bus_message_unref(reply);
	if (r < 0) {
		text_printf(err, errlen, "LoadUnit %s: %s", unit,
			    e.message ? e.message : strerror(-r));
		goto out;
	}
	r = get_all(bus, opath, "org.freedesktop.systemd1.Unit", unit_props, u, &e);
	if (r >= 0 && strcmp(u->load_state, "loaded") == 0)
		r = get_all(bus, opath, "org.freedesktop.systemd1.Service", service_props, u, &e);
	if (r < 0)
		text_printf(err, errlen, "properties of %s: %s", unit,
			    e.message ? e.message : strerror(-r));
out:
	sd_bus_error_free(&e);
	return r;
}

int config_sdbus_load(const char *unit, uint64_t timeout_usec, struct diag_unit *u, char *err,
		      size_t errlen)
{
	const char *sys = getenv("DBUS_SYSTEM_BUS_ADDRESS");
	char address[CONFIG_PATH_LEN];
	sd_bus *bus = NULL;
	unsigned char cur = u->env.cur_source;

	text_printf(address, sizeof(address), "%s",
		    sys && *sys ? sys : "unix:path=/run/dbus/system_bus_socket");
	int r = bus_open(address, true, timeout_usec, &bus);
	if (r >= 0) {
		memset(u, 0, sizeof(*u));
		u->env.cur_source = cur;
		r = ask(bus, unit, u, err, errlen);
		sd_bus_close_unref(bus);
		bus = NULL;
		if (r >= 0)
			return 0;
	}
	/* no D-Bus daemon (a minimal host, a container): systemd's own socket, for root */
	int r2 = bus_open("unix:path=/run/systemd/private", false, timeout_usec, &bus);
	if (r2 < 0) {
		if (r >= 0 || !err[0])
			text_printf(err, errlen, "cannot reach systemd over D-Bus: %s", strerror(-r2));
		return r2;
	}
	memset(u, 0, sizeof(*u));
	u->env.cur_source = cur;
	err[0] = '\0';
	r = ask(bus, unit, u, err, errlen);
	sd_bus_close_unref(bus);
	return r < 0 ? r : 0;
}
