#include <cblas.h>      /* Debian: alternatives symlink to openblas-pthread/cblas.h */
#include <lapacke.h>

/* OpenBLAS (pthread build) exports this but declares it in no public header: it stops the
   worker pool the library starts when it loads (re-created on the next threaded call). */
int blas_thread_shutdown_(void);
