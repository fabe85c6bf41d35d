/*
 * check_vrrpwatch: `vrrpwatch once` for Nagios and Icinga, which run their checks as their own users.
 *
 * The package gives this small program (and nothing else) the file capability cap_net_raw=p. It raises
 * CAP_NET_RAW into its inheritable and ambient sets and execs the bundled Node.js on vrrpwatch's CLI with
 * `once` first, so the capture works as for the service, while:
 *  - the node binary carries no capability (a file capability on it would give CAP_NET_RAW to every
 *    script any user runs with it), and file capabilities on a script are ignored by the kernel;
 *  - only `once` runs: the command is fixed and every argument given comes after it;
 *  - the environment is replaced by a fixed one, so NODE_OPTIONS, NODE_PATH and the like cannot load
 *    other code into the capable process (the dynamic loader already ignores LD_* here: AT_SECURE).
 * Who may run it is left to the file mode (0755, or set with dpkg-statoverride to e.g. 0750 root:nagios).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef LIBDIR
#define LIBDIR "/usr/lib/vrrpwatch"
#endif
/* Written by the package build from lab/lab.ts NODE_FLAGS, one flag. */
#ifndef NODE_FLAG
#define NODE_FLAG "--max-semi-space-size=2"
#endif

/* Nagios's exit code for "the check itself could not run". */
#define UNKNOWN 3

static int raise_net_raw(void) {
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  memset(data, 0, sizeof data);
  if (syscall(SYS_capget, &header, data) != 0) return -1;
  if ((data[0].permitted & (1U << CAP_NET_RAW)) == 0) {
    errno = EPERM;
    return -1;
  }
  /* Keep nothing but CAP_NET_RAW, inheritable so that it can be ambient. */
  data[0].effective = 0;
  data[0].permitted = 1U << CAP_NET_RAW;
  data[0].inheritable = 1U << CAP_NET_RAW;
  data[1].effective = data[1].permitted = data[1].inheritable = 0;
  if (syscall(SYS_capset, &header, data) != 0) return -1;
  return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0);
}

int main(int argc, char **argv) {
  if (argc < 1) return UNKNOWN;
  if (raise_net_raw() != 0) {
    /* Root (or a caller without the file capability) still runs the check: once itself says UNKNOWN
       with the reason when the capture cannot start. */
    if (geteuid() != 0 && errno != EPERM) {
      printf("VRRP UNKNOWN - check_vrrpwatch cannot raise CAP_NET_RAW: %s\n", strerror(errno));
      return UNKNOWN;
    }
  }
  char **args = calloc((size_t)argc + 4, sizeof *args);
  if (args == NULL) {
    printf("VRRP UNKNOWN - check_vrrpwatch: out of memory\n");
    return UNKNOWN;
  }
  args[0] = LIBDIR "/node";
  args[1] = NODE_FLAG;
  args[2] = LIBDIR "/dist/src/cli.js";
  args[3] = "once";
  for (int i = 1; i < argc; i++) args[i + 3] = argv[i];
  args[argc + 3] = NULL;
  char *env[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", NULL};
  execve(args[0], args, env);
  printf("VRRP UNKNOWN - check_vrrpwatch cannot run %s: %s\n", args[0], strerror(errno));
  return UNKNOWN;
}
