/* Shared by the hot path's C files: CPython's API, the powers of ten, the entry points. */
#ifndef LOADSTAR_HOTPATH_H
#define LOADSTAR_HOTPATH_H
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

static const double POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

PyObject *hotpath_read_rows(PyObject *self, PyObject *args);        /* hotpath_rows.c */
PyObject *hotpath_bucket(PyObject *self, PyObject *args);           /* hotpath_grid.c */
PyObject *hotpath_fill_linear(PyObject *self, PyObject *args);      /* hotpath_grid.c */
PyObject *hotpath_quantile_columns(PyObject *self, PyObject *args); /* hotpath_answer.c */

#endif
