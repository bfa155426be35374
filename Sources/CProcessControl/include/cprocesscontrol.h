#ifndef CPROCESSCONTROL_H
#define CPROCESSCONTROL_H
#include <sys/types.h>

/// Asks the kernel to send `signal` to this process when its parent thread exits.
/// Returns 0 on success, -1 with errno set otherwise (always -1 off Linux).
int cpc_set_parent_death_signal(int signal);

/// Starts `path` with `argv` and `envp` (NULL-terminated), its stdin, stdout and stderr
/// connected to the given descriptors and every other descriptor closed, every signal at its
/// default disposition and unblocked, in a process group of its own (so a terminal's Ctrl-C
/// reaches only the supervisor, which stops its children in order).
/// Returns 0 and sets *pid, or an errno value.
int cpc_spawn(const char *path, char *const argv[], char *const envp[],
              int stdin_fd, int stdout_fd, int stderr_fd, pid_t *pid);

/// Like `cpc_spawn`, and the child drops to `uid` and `gid` (no supplementary groups) before
/// it executes `path`, so `path` must be reachable by that uid. `open_files` > 0 sets its
/// RLIMIT_NOFILE first (prlimit on another uid's process needs CAP_SYS_RESOURCE; this does not). fork + exec: the child calls only
/// async-signal-safe functions, and reports a failure before exec (errno) through a pipe.
/// Returns 0 and sets *pid, or an errno value.
int cpc_spawn_as(const char *path, char *const argv[], char *const envp[],
                 int stdin_fd, int stdout_fd, int stderr_fd, uid_t uid, gid_t gid, unsigned long open_files, pid_t *pid);

/// waitpid(pid, &status, WNOHANG), decoded: returns the pid when it exited (and sets
/// *exit_code to its exit status, or *signal to the signal that killed it), 0 when it still
/// runs, -1 on error.
pid_t cpc_reap(pid_t pid, int *exit_code, int *signal);

/// pipe2(fds, O_CLOEXEC): a pipe whose ends no child inherits unless handed to it.
int cpc_pipe_cloexec(int fds[2]);

/// prlimit(pid, RLIMIT_NOFILE): sets another process's open-files limit (soft and hard).
/// Returns 0, or -1 with errno set.
int cpc_set_open_files_limit(pid_t pid, unsigned long limit);

#endif
