/* quantile_columns: the numbers of a forecast's answer (see _hotpath.c). */
#include "hotpath.h"

/* `round_significant` for a whole array: the same operations in the same order (numpy
 * has no fused multiply-add here, and the module is built without contraction). When any
 * value needs a power of ten beyond 1e22, every value goes through text, as there. */
static int round_all(double *v, Py_ssize_t n, int digits) {
    int text = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        double magnitude = fabs(v[i]);
        if (magnitude == 0.0) magnitude = 1.0;
        int64_t decimals = (digits - 1) - (int64_t)floor(log10(magnitude));
        if (decimals > 22 || decimals < -22) text = 1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (text) {
            char *formatted = PyOS_double_to_string(v[i], 'g', digits, 0, NULL);
            if (formatted == NULL) return 0;
            double parsed = PyOS_string_to_double(formatted, NULL, NULL);
            PyMem_Free(formatted);
            if (parsed == -1.0 && PyErr_Occurred()) return 0;
            v[i] = parsed;
            continue;
        }
        double magnitude = fabs(v[i]);
        if (magnitude == 0.0) magnitude = 1.0;
        int64_t decimals = (digits - 1) - (int64_t)floor(log10(magnitude));
        double up = POW10[decimals > 0 ? decimals : 0];
        double down = POW10[decimals < 0 ? -decimals : 0];
        v[i] = rint(v[i] * up / down) / up * down;
    }
    return 1;
}

PyObject *hotpath_quantile_columns(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer raw;
    Py_ssize_t horizon;
    PyObject *order;
    double factor, offset;
    int identity, digits;
    if (!PyArg_ParseTuple(args, "y*nO!ddpi", &raw, &horizon, &PyTuple_Type, &order, &factor,
                          &offset, &identity, &digits))
        return NULL;
    PyObject *result = NULL;
    double *steps = NULL;
    Py_ssize_t q = PyTuple_GET_SIZE(order);
    Py_ssize_t cells = raw.len / (Py_ssize_t)sizeof(double);
    if (q < 1 || q > 64 || horizon < 1 || cells % q || cells / q < horizon || digits < 1 ||
        digits > 17) {
        PyErr_SetString(PyExc_ValueError, "quantile_columns: mismatched shapes");
        goto done;
    }
    const double *values = raw.buf; /* [rows, q] */
    for (Py_ssize_t i = 0; i < cells; i++)
        if (!isfinite(values[i])) { /* the numpy way raises naming the first */
            result = Py_NewRef(Py_None);
            goto done;
        }
    Py_ssize_t columns[64];
    for (Py_ssize_t j = 0; j < q; j++) {
        columns[j] = PyLong_AsSsize_t(PyTuple_GET_ITEM(order, j));
        if (columns[j] == -1 && PyErr_Occurred()) goto done;
        if (columns[j] < 0 || columns[j] >= q) {
            PyErr_SetString(PyExc_ValueError, "quantile_columns: order out of range");
            goto done;
        }
    }
    steps = PyMem_Malloc((size_t)(horizon * q) * sizeof(double));
    if (steps == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t crossed = 0, first = 0;
    for (Py_ssize_t h = 0; h < horizon; h++) {
        double *row = steps + h * q;
        int cross = 0;
        for (Py_ssize_t j = 0; j < q; j++) {
            double v = values[h * q + columns[j]];
            row[j] = identity ? v : v * factor + offset;
            if (j && row[j] < row[j - 1]) cross = 1;
        }
        if (cross && !crossed++) first = h;
    }
    if (crossed) /* numpy sorts every row then; its sort of so few values is an insertion sort */
        for (Py_ssize_t h = 0; h < horizon; h++) {
            double *row = steps + h * q;
            for (Py_ssize_t j = 1; j < q; j++) {
                double v = row[j];
                Py_ssize_t i = j;
                for (; i > 0 && v < row[i - 1]; i--) row[i] = row[i - 1];
                row[i] = v;
            }
        }
    if (!round_all(steps, horizon * q, digits)) goto done;
    PyObject *lists = PyList_New(q);
    if (lists == NULL) goto done;
    for (Py_ssize_t j = 0; j < q; j++) {
        PyObject *list = PyList_New(horizon);
        if (list == NULL) {
            Py_DECREF(lists);
            goto done;
        }
        PyList_SET_ITEM(lists, j, list);
        for (Py_ssize_t h = 0; h < horizon; h++) {
            PyObject *number = PyFloat_FromDouble(steps[h * q + j]);
            if (number == NULL) {
                Py_DECREF(lists);
                goto done;
            }
            PyList_SET_ITEM(list, h, number);
        }
    }
    result = Py_BuildValue("(Nnn)", lists, crossed, first);
done:
    PyMem_Free(steps);
    PyBuffer_Release(&raw);
    return result;
}
