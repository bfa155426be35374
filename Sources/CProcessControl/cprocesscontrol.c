#define _GNU_SOURCE
#include "cprocesscontrol.h"
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <sys/resource.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

int cpc_set_parent_death_signal(int signal) {
#ifdef __linux__
    return prctl(PR_SET_PDEATHSIG, signal, 0, 0, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int cpc_spawn(const char *path, char *const argv[], char *const envp[],
              int stdin_fd, int stdout_fd, int stderr_fd, pid_t *pid) {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    int rc = posix_spawnattr_init(&attr);
    if (rc != 0) return rc;
    rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) { posix_spawnattr_destroy(&attr); return rc; }

    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);

    posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
    posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#endif
    rc = posix_spawn(pid, path, &actions, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return rc;
}

pid_t cpc_reap(pid_t pid, int *exit_code, int *signal) {
    int status = 0;
    pid_t result = waitpid(pid, &status, WNOHANG);
    if (result > 0) {
        *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        *signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    }
    return result;
}

int cpc_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int cpc_set_open_files_limit(pid_t pid, unsigned long limit) {
#ifdef __linux__
    struct rlimit value = { .rlim_cur = limit, .rlim_max = limit };
    return prlimit(pid, RLIMIT_NOFILE, &value, NULL);
#else
    errno = ENOSYS;
    return -1;
#endif
}
