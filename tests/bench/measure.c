/* measure: runs commands one after the other (one sample of one side of the bench) and prints
 * "WALL_S CPU_S MAXRSS_KB RC SERVERS_CPU_S": wall time, user+sys CPU summed over the commands
 * and the peak RSS of the largest, from wait4()'s rusage (what GNU time -f "%e %U %S %M" prints,
 * but at microsecond resolution). RC is the last non-zero exit status, 0 when all succeeded.
 * SERVERS_CPU_S is the CPU time the processes named in MEASURE_PIDS (the lab's etcd members)
 * spent meanwhile, from every thread's /proc/PID/task/TID/schedstat (nanoseconds); 0 without it.
 * The measuring process stays tiny, so a child's RSS before exec does not inflate the figure.
 *
 *   [MEASURE_PIDS="PID ..."] measure CMD1 ARG... [--- CMD2 ARG... ...]
 * Built by tests/bench/bench.sh with cc into its temp dir. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <fcntl.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds spent so far by every thread of the processes in pids ("PID PID ..."). */
static double servers_cpu_s(const char *pids)
{
	double sum = 0;
	char *list = strdup(pids ? pids : ""), *save = NULL;
	for (char *p = strtok_r(list, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		char path[128];
		snprintf(path, sizeof(path), "/proc/%s/task", p);
		DIR *d = opendir(path);
		for (struct dirent *e; d && (e = readdir(d));) {
			if (e->d_name[0] == '.')
				continue;
			char f[512];
			unsigned long long ns = 0;
			snprintf(f, sizeof(f), "%s/%s/schedstat", path, e->d_name);
			FILE *fp = fopen(f, "r");
			if (fp && fscanf(fp, "%llu", &ns) == 1)
				sum += (double)ns / 1e9;
			if (fp)
				fclose(fp);
		}
		if (d)
			closedir(d);
	}
	free(list);
	return sum;
}

int main(int argc, char **argv)
{
	const char *pids = getenv("MEASURE_PIDS");
	double srv0 = servers_cpu_s(pids);
	double cpu = 0, t0 = now_s();
	long maxrss = 0;
	int rc = 0;

	for (int i = 1; i < argc;) {
		int j = i;
		while (j < argc && strcmp(argv[j], "---") != 0)
			j++;
		argv[j < argc ? j : argc] = NULL; /* argv[argc] is NULL already */
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (pid == 0) {
			int fd = open("/dev/null", O_WRONLY);
			if (fd >= 0) {
				dup2(fd, 1);
				dup2(fd, 2);
			}
			execvp(argv[i], argv + i);
			_exit(127);
		}
		int st;
		struct rusage ru;
		if (wait4(pid, &st, 0, &ru) < 0) {
			perror("wait4");
			return 2;
		}
		cpu += (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
		int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (code)
			rc = code;
		i = j + 1;
	}
	double wall = now_s() - t0;
	printf("%.6f %.6f %ld %d %.6f\n", wall, cpu, maxrss, rc, servers_cpu_s(pids) - srv0);
	return 0;
}
