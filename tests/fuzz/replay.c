
/*
 * Replays inputs through a harness without libFuzzer: linked with one
 * tests/fuzz/fuzz_<name>.c (under ASan/UBSan, without -fsanitize=fuzzer)
 * it runs LLVMFuzzerTestOneInput() once per file, so the seed corpus and
 * every regression input in tests/fuzz/regressions/<name>/ are re-checked
 * on each `make test` in a fraction of a second.
 *
 *   replay_<name> FILE|DIR...     (a directory: every regular file in it,
 *                                  not recursive, dot-files skipped)
 *
 * Exits 0 when every input ran; a broken invariant or a sanitizer report
 * ends the process, and the input it was running is named on stderr.
 */


#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sanitizer/common_interface_defs.h>

#include "harness.h"


int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));


/* the input being run, named if it crashes */
static const char  *replay_current;


static void
replay_blame(void)
{
    if (replay_current != NULL) {
        (void) write(2, "replay: FAILED on input ", 24);
        (void) write(2, replay_current, strlen(replay_current));
        (void) write(2, "\n", 1);
    }
}


static void
replay_abort(int signo)
{
    replay_blame();
    signal(signo, SIG_DFL);
    raise(signo);
}


static int
replay_file(const char *name, size_t *count)
{
    FILE     *f;
    long      n;
    uint8_t  *buf;

    f = fopen(name, "rb");
    if (f == NULL) {
        fprintf(stderr, "replay: %s: %s\n", name, strerror(errno));
        return -1;
    }

    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0
        || fseek(f, 0, SEEK_SET) != 0)
    {
        fprintf(stderr, "replay: %s: cannot size the file\n", name);
        fclose(f);
        return -1;
    }

    /* exactly n bytes: ASan sees a read past the input */
    buf = malloc(n ? (size_t) n : 1);
    if (buf == NULL || fread(buf, 1, (size_t) n, f) != (size_t) n) {
        fprintf(stderr, "replay: %s: cannot read\n", name);
        free(buf);
        fclose(f);
        return -1;
    }

    fclose(f);

    replay_current = name;
    LLVMFuzzerTestOneInput(buf, (size_t) n);
    replay_current = NULL;
    free(buf);
    (*count)++;

    return 0;
}


static int
replay_path(const char *name, size_t *count)
{
    int             rc;
    DIR            *dir;
    char            path[4096];
    struct stat     st;
    struct dirent  *de;

    if (stat(name, &st) != 0) {
        fprintf(stderr, "replay: %s: %s\n", name, strerror(errno));
        return -1;
    }

    if (!S_ISDIR(st.st_mode)) {
        return replay_file(name, count);
    }

    dir = opendir(name);
    if (dir == NULL) {
        fprintf(stderr, "replay: %s: %s\n", name, strerror(errno));
        return -1;
    }

    rc = 0;

    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }

        snprintf(path, sizeof(path), "%s/%s", name, de->d_name);

        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }

        if (replay_file(path, count) != 0) {
            rc = -1;
        }
    }

    closedir(dir);

    return rc;
}


int
main(int argc, char **argv)
{
    int     i, rc;
    size_t  count;

    /* a sanitizer report (death callback) or a broken FUZZ_CHECK (abort) */
    __sanitizer_set_death_callback(replay_blame);
    signal(SIGABRT, replay_abort);

    if (LLVMFuzzerInitialize) {
        LLVMFuzzerInitialize(&argc, &argv);
    }

    rc = 0;
    count = 0;

    for (i = 1; i < argc; i++) {
        if (replay_path(argv[i], &count) != 0) {
            rc = 1;
        }
    }

    printf("replay: %s: %zu input(s) passed\n", argv[0], count);

    return rc;
}
