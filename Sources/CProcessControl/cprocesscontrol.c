#define _GNU_SOURCE
#include "cprocesscontrol.h"
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <pthread.h>
#include <string.h>
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

#ifdef __linux__
/// Closes every descriptor from `first` up, except `keep`.
static void close_all_from(int first, int keep) {
#ifdef SYS_close_range
    if (keep >= first) {
        if (keep > first && syscall(SYS_close_range, first, keep - 1, 0) != 0) goto fallback;
        if (syscall(SYS_close_range, keep + 1, ~0U, 0) != 0) goto fallback;
    } else if (syscall(SYS_close_range, first, ~0U, 0) != 0) {
        goto fallback;
    }
    return;
fallback:
#endif
    for (int fd = first; fd < 65536; fd++) {
        if (fd != keep) close(fd);
    }
}
#endif

int cpc_spawn_as(const char *path, char *const argv[], char *const envp[],
                 int stdin_fd, int stdout_fd, int stderr_fd, uid_t uid, gid_t gid, unsigned long open_files, pid_t *pid) {
#ifdef __linux__
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return errno;
    // No handler of ours may run in the child: block everything across fork, reset, unblock.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t child = fork();
    if (child == 0) {
        struct sigaction fallback;
        memset(&fallback, 0, sizeof fallback);
        fallback.sa_handler = SIG_DFL;
        for (int s = 1; s < NSIG; s++) sigaction(s, &fallback, NULL);
        setpgid(0, 0);
        int fds[3] = { stdin_fd, stdout_fd, stderr_fd };
        for (int i = 0; i < 3; i++) {
            if (dup2(fds[i], i) < 0) goto failed;
        }
        close_all_from(3, report[1]);
        if (open_files > 0) {
            // Lowering needs no privilege; a value above the hard limit is left at the hard limit.
            struct rlimit value = { .rlim_cur = open_files, .rlim_max = open_files };
            if (setrlimit(RLIMIT_NOFILE, &value) != 0 && getrlimit(RLIMIT_NOFILE, &value) == 0) {
                value.rlim_cur = value.rlim_max;
                setrlimit(RLIMIT_NOFILE, &value);
            }
        }
        // Raw system calls: the child has one thread, and glibc's wrappers would signal the
        // parent's others to change their ids too.
        if (syscall(SYS_setgroups, 0, NULL) != 0) goto failed;
        if (syscall(SYS_setresgid, gid, gid, gid) != 0) goto failed;
        if (syscall(SYS_setresuid, uid, uid, uid) != 0) goto failed;
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(path, argv, envp);
    failed: {
            int error = errno;
            ssize_t ignored = write(report[1], &error, sizeof error);
            (void)ignored;
            _exit(127);
        }
    }
    int forkError = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    close(report[1]);
    if (child < 0) {
        close(report[0]);
        return forkError;
    }
    int childError = 0;
    ssize_t n;
    do {
        n = read(report[0], &childError, sizeof childError);
    } while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n == (ssize_t)sizeof childError) {
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
        return childError != 0 ? childError : EIO;
    }
    *pid = child;
    return 0;
#else
    (void)path; (void)argv; (void)envp; (void)stdin_fd; (void)stdout_fd; (void)stderr_fd; (void)uid; (void)gid; (void)open_files; (void)pid;
    return ENOSYS;
#endif
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
