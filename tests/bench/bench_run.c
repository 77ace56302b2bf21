/*
 * bench_run COMMAND [ARGS...]: runs a command and prints its wall time in
 * seconds, its peak resident memory in KiB and its CPU time (user + system)
 * in seconds ("seconds=1.234 maxrss_kib=5678 cpu=1.200") on stderr, exiting
 * with the command's status. The benchmarks use it to time casebook and its
 * baselines the same way; CPU time is the figure that holds on a machine
 * other work shares.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_run COMMAND [ARGS...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) < 0) {
		perror("bench_run");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "seconds=%.3f maxrss_kib=%ld cpu=%.3f\n",
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9,
		ru.ru_maxrss,
		(double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
			(double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}
