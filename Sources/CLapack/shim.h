#include <cblas.h>      /* Debian: alternatives symlink to openblas-pthread/cblas.h */
#include <lapacke.h>
