/* SPDX-License-Identifier: MIT */
/* rss_probe CMD [ARG...]: run CMD with stdout on /dev/null, wait for it, and
 * print its ru_maxrss (KiB) from wait4() on our own stdout; exit with CMD's
 * status (128+N on signal N, 127 when it cannot be executed).
 *
 * Why this exists: a process started by the Python driver (posix_spawn, fork
 * or vfork) inherits the Python interpreter's resident-set high-water mark,
 * and the kernel carries it across execve() into ru_maxrss, so wait4() in the
 * driver reports ~13 MB for /bin/true. Forking from this small C program
 * instead makes the floor its own footprint (~1 MB), so the figure is the
 * launcher's (see bench/README.md). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: rss_probe CMD [ARG...]\n");
    return 2;
  }
  pid_t pid = fork();
  if (pid < 0) {
    perror("rss_probe: fork");
    return 125;
  }
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0) dup2(null, 1);
    execv(argv[1], argv + 1);
    perror("rss_probe: execv");
    _exit(127);
  }
  int status;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0) {
    perror("rss_probe: wait4");
    return 125;
  }
  printf("%ld\n", ru.ru_maxrss);
  fflush(stdout);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}
