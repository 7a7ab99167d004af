/* bucket and fill_linear: a window's grid means and its linear fill (see _hotpath.c). */
#include "hotpath.h"

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

PyObject *hotpath_bucket(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer times, columns;
    long long frequency;
    Py_ssize_t lookback;
    PyObject *picks, *conversions;
    if (!PyArg_ParseTuple(args, "y*y*LnO!O!", &times, &columns, &frequency, &lookback,
                          &PyTuple_Type, &picks, &PyTuple_Type, &conversions))
        return NULL;
    PyObject *result = NULL;
    double *sums = NULL, *counts = NULL;
    Py_ssize_t n = times.len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t k = PyTuple_GET_SIZE(picks);
    if (n < 1 || frequency < 1 || lookback < 1 || times.len % (Py_ssize_t)sizeof(int64_t) ||
        columns.len % (n * (Py_ssize_t)sizeof(double)) || k < 1 || k > 64 ||
        PyTuple_GET_SIZE(conversions) != k) {
        PyErr_SetString(PyExc_ValueError, "bucket: mismatched or empty buffers");
        goto done;
    }
    Py_ssize_t sources = columns.len / (n * (Py_ssize_t)sizeof(double));
    Py_ssize_t source_of[64];
    double factor[64], offset[64];
    int convert[64];
    for (Py_ssize_t j = 0; j < k; j++) {
        source_of[j] = PyLong_AsSsize_t(PyTuple_GET_ITEM(picks, j));
        if (source_of[j] == -1 && PyErr_Occurred()) goto done;
        if (source_of[j] < 0 || source_of[j] >= sources) {
            PyErr_SetString(PyExc_ValueError, "bucket: a column out of range");
            goto done;
        }
        PyObject *conversion = PyTuple_GET_ITEM(conversions, j);
        convert[j] = conversion != Py_None;
        if (convert[j] && !PyArg_ParseTuple(conversion, "dd", &factor[j], &offset[j])) goto done;
    }
    const int64_t *t = times.buf;
    const double *by_column = columns.buf; /* [sources, n] */
    for (Py_ssize_t i = 1; i < n; i++)
        if (t[i] <= t[i - 1]) {
            result = Py_NewRef(Py_None); /* not strictly increasing: numpy's way */
            goto done;
        }
    int64_t end = floor_div(t[n - 1], frequency) * frequency;
    int64_t start = end - (int64_t)(lookback - 1) * frequency;
    Py_ssize_t first_in = 0;
    while (first_in < n && t[first_in] < start) first_in++;
    sums = PyMem_Calloc((size_t)(lookback * k), sizeof(double));
    counts = PyMem_Calloc((size_t)(lookback * k), sizeof(double));
    if (sums == NULL || counts == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t j = 0; j < k; j++) {
        const double *column = by_column + source_of[j] * n;
        double *s = sums + j * lookback, *c = counts + j * lookback;
        for (Py_ssize_t i = first_in; i < n; i++) {
            double v = column[i];
            if (v != v) continue; /* NaN: numpy adds -0.0, which changes no sum */
            if (convert[j]) v = v * factor[j] + offset[j]; /* as Conversion.apply */
            Py_ssize_t slot = (Py_ssize_t)((t[i] - start) / frequency);
            s[slot] += v;
            c[slot] += 1.0;
        }
    }
    PyObject *means = PyByteArray_FromStringAndSize(NULL, lookback * k * (Py_ssize_t)sizeof(double));
    PyObject *gaps = PyByteArray_FromStringAndSize(NULL, lookback * k);
    PyObject *missing = PyByteArray_FromStringAndSize(NULL, k * (Py_ssize_t)sizeof(int64_t));
    if (means == NULL || gaps == NULL || missing == NULL) {
        Py_XDECREF(means);
        Py_XDECREF(gaps);
        Py_XDECREF(missing);
        goto done;
    }
    double *m = (double *)PyByteArray_AS_STRING(means); /* [L, k] */
    char *g = PyByteArray_AS_STRING(gaps);
    int64_t *miss = (int64_t *)PyByteArray_AS_STRING(missing);
    for (Py_ssize_t j = 0; j < k; j++) {
        miss[j] = 0;
        for (Py_ssize_t l = 0; l < lookback; l++) {
            double c = counts[j * lookback + l];
            int gap = c == 0.0;
            m[l * k + j] = gap ? NAN : sums[j * lookback + l] / c;
            g[l * k + j] = (char)gap;
            miss[j] += gap;
        }
    }
    result = Py_BuildValue("(LnNNN)", (long long)end, first_in, means, gaps, missing);
done:
    PyMem_Free(sums);
    PyMem_Free(counts);
    PyBuffer_Release(&times);
    PyBuffer_Release(&columns);
    return result;
}

/* np.interp at x of the points (xp, fp), n >= 1, xp increasing: numpy's arithmetic. */
static double interp(double x, const double *xp, const double *fp, Py_ssize_t n, Py_ssize_t *j) {
    if (n == 1) return fp[0]; /* below, above or at the one point: its value */
    if (x < xp[0]) return fp[0];
    if (x > xp[n - 1]) return fp[n - 1];
    while (*j + 1 < n && xp[*j + 1] <= x) (*j)++; /* xp[j] <= x < xp[j + 1] */
    Py_ssize_t k = *j;
    if (k == n - 1 || xp[k] == x) return fp[k];
    double slope = (fp[k + 1] - fp[k]) / (xp[k + 1] - xp[k]);
    double y = slope * (x - xp[k]) + fp[k];
    if (isnan(y)) {
        y = slope * (x - xp[k + 1]) + fp[k + 1];
        if (isnan(y) && fp[k] == fp[k + 1]) y = fp[k];
    }
    return y;
}

PyObject *hotpath_fill_linear(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer window, gaps, offsets, befores;
    if (!PyArg_ParseTuple(args, "w*y*y*y*", &window, &gaps, &offsets, &befores)) return NULL;
    PyObject *result = NULL;
    double *xp = NULL, *fp = NULL;
    Py_ssize_t k = offsets.len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t cells = window.len / (Py_ssize_t)sizeof(double);
    if (k < 1 || cells % k || gaps.len != cells || befores.len != k * (Py_ssize_t)sizeof(double)) {
        PyErr_SetString(PyExc_ValueError, "fill_linear: mismatched buffers");
        goto done;
    }
    Py_ssize_t rows = cells / k;
    double *w = window.buf; /* [rows, k] */
    const char *gap = gaps.buf;
    const int64_t *before_offset = offsets.buf;
    const double *before_value = befores.buf;
    xp = PyMem_Malloc((size_t)(rows + 1) * sizeof(double));
    fp = PyMem_Malloc((size_t)(rows + 1) * sizeof(double));
    if (xp == NULL || fp == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t c = 0; c < k; c++) {
        Py_ssize_t n = 0, holes = 0;
        if (!isnan(before_value[c])) {
            xp[n] = (double)(-before_offset[c]);
            fp[n++] = before_value[c];
        }
        for (Py_ssize_t r = 0; r < rows; r++) {
            if (gap[r * k + c]) {
                holes++;
                continue;
            }
            xp[n] = (double)r;
            fp[n++] = w[r * k + c];
        }
        if (!holes || !n) continue; /* nothing to fill, or nothing to go by */
        Py_ssize_t j = 0;
        for (Py_ssize_t r = 0; r < rows; r++)
            if (gap[r * k + c]) w[r * k + c] = interp((double)r, xp, fp, n, &j);
    }
    result = Py_NewRef(Py_None);
done:
    PyMem_Free(xp);
    PyMem_Free(fp);
    PyBuffer_Release(&window);
    PyBuffer_Release(&gaps);
    PyBuffer_Release(&offsets);
    PyBuffer_Release(&befores);
    return result;
}
