#include "CFuzzDriver.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Runs the callback on one file; returns the number of inputs run (0 or 1). */
static int replay_file(const char *path, int (*callback)(const uint8_t *, size_t)) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return 0;
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    uint8_t *data = malloc(size > 0 ? (size_t)size : 1);
    size_t read = size > 0 ? fread(data, 1, (size_t)size, file) : 0;
    fclose(file);
    callback(data, read);
    free(data);
    return 1;
}

/* Without libFuzzer: every file named, and every file in every folder named, is run once; options are ignored. */
__attribute__((weak)) int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *, size_t)) {
    int runs = 0;
    for (int index = 1; index < *argc; index++) {
        const char *path = (*argv)[index];
        if (path[0] == '-') continue;
        struct stat info;
        if (stat(path, &info) != 0) continue;
        if (!S_ISDIR(info.st_mode)) {
            runs += replay_file(path, callback);
            continue;
        }
        DIR *folder = opendir(path);
        if (folder == NULL) continue;
        struct dirent *entry;
        while ((entry = readdir(folder)) != NULL) {
            if (entry->d_name[0] == '.') continue;
            char child[4096];
            snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
            runs += replay_file(child, callback);
        }
        closedir(folder);
    }
    printf("replayed %d inputs without a crash\n", runs);
    return 0;
}
