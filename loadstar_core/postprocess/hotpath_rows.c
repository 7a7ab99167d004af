/* read_rows: a predict body's rows array read into columns (see _hotpath.c). */
#include "hotpath_scalars.h"

#define MAX_SOURCES 62 /* with the timestamp, ids fit a 64-bit mask */
#define MAX_KEYS 16

typedef struct {
    double *values; /* row-major [capacity, k] */
    int64_t *times;
    Py_ssize_t rows, capacity;
    Py_ssize_t k;
    int naive;
    LastDate last;
    int order[MAX_KEYS]; /* the key ids of the previous row, by position */
    uint64_t present;    /* the key ids some row had */
} Table;

static int grow(Table *t) {
    Py_ssize_t capacity = t->capacity ? t->capacity * 2 : 256;
    double *values = PyMem_Realloc(t->values, (size_t)(capacity * t->k) * sizeof(double));
    if (values == NULL) return 0;
    t->values = values;
    int64_t *times = PyMem_Realloc(t->times, (size_t)capacity * sizeof(int64_t));
    if (times == NULL) return 0;
    t->times = times;
    t->capacity = capacity;
    return 1;
}

enum { MORE = 1, END = 2 };

/* After a member or an element: MORE at a comma, END at `close` (consumed), 0 otherwise. */
static inline __attribute__((always_inline)) int after_item(Cursor *c, char close) {
    skip_ws(c);
    if (c->p >= c->end) return 0;
    if (*c->p == ',') {
        c->p++;
        return MORE;
    }
    if (*c->p != close) return 0;
    c->p++;
    return END;
}

/* The colon after a member's key, with the whitespace around it. */
static inline __attribute__((always_inline)) int colon(Cursor *c) {
    skip_ws(c);
    if (c->p >= c->end || *c->p != ':') return 0;
    c->p++;
    skip_ws(c);
    return 1;
}

/* The id of the key at the cursor (0 the timestamp field, 1 + j source j, -1 another key),
 * tried first as the key the previous row had at this position: rows repeat their keys. */
static inline __attribute__((always_inline)) int key_id(Cursor *c, Table *t, int position,
                                                        const char *const *names,
                                                        const Py_ssize_t *sizes) {
    int guess = position < MAX_KEYS ? t->order[position] : -1;
    if (guess >= 0) {
        Py_ssize_t size = sizes[guess];
        const char *p = c->p;
        if (c->end - p >= size + 2 && p[0] == '"' && p[size + 1] == '"' &&
            memcmp(p + 1, names[guess], (size_t)size) == 0) {
            c->p = p + size + 2;
            return guess;
        }
    }
    const char *key;
    Py_ssize_t key_n;
    if (!plain_string(c, &key, &key_n)) return -2;
    int id = -1;
    for (int j = 0; j <= t->k; j++)
        if (sizes[j] == key_n && memcmp(names[j], key, (size_t)key_n) == 0) {
            id = j;
            break;
        }
    if (position < MAX_KEYS) t->order[position] = id;
    return id;
}

static int one_row(Cursor *c, Table *t, const char *const *names, const Py_ssize_t *sizes) {
    if (c->p >= c->end || *c->p != '{') return 0;
    c->p++;
    if (t->rows == t->capacity && !grow(t)) return 0;
    double *row = t->values + t->rows * t->k;
    for (Py_ssize_t j = 0; j < t->k; j++) row[j] = NAN;
    uint64_t seen = 0;
    int stamped = 0;
    skip_ws(c);
    if (c->p < c->end && *c->p == '}') return 0; /* no timestamp */
    for (int position = 0;; position++) {
        skip_ws(c);
        int id = key_id(c, t, position, names, sizes);
        if (id == -2) return 0;
        if (!colon(c)) return 0;
        if (id == 0) {
            const char *s;
            Py_ssize_t n;
            int naive;
            if (stamped || !quoted(c, &s, &n) ||
                !timestamp(s, n, &t->last, &t->times[t->rows], &naive))
                return 0;
            stamped = 1;
            t->naive += naive;
        } else if (id > 0) {
            if ((seen >> id) & 1 || !number(c, &row[id - 1])) return 0;
            seen |= UINT64_C(1) << id;
        } else if (!skip_simple(c)) {
            return 0;
        }
        int next = after_item(c, '}');
        if (next == 0) return 0;
        if (next == END) break;
    }
    if (!stamped) return 0;
    t->present |= seen;
    t->rows++;
    return 1;
}

static int rows_array(Cursor *c, Table *t, const char *const *names, const Py_ssize_t *sizes) {
    if (c->p >= c->end || *c->p != '[') return 0;
    c->p++;
    skip_ws(c);
    if (c->p < c->end && *c->p == ']') return 0; /* no rows: the general way words it */
    for (;;) {
        skip_ws(c);
        if (!one_row(c, t, names, sizes)) return 0;
        int next = after_item(c, ']');
        if (next != MORE) return next == END;
    }
}

/* The body's rows, or 0 when the general reader must judge it. */
static int read_body(Cursor *c, Table *t, const char *const *names, const Py_ssize_t *sizes,
                     Py_ssize_t *span) {
    const char *begin = c->p;
    int found = 0;
    skip_ws(c);
    if (c->p >= c->end || *c->p != '{') return 0;
    c->p++;
    skip_ws(c);
    if (c->p < c->end && *c->p == '}') return 0;
    for (;;) {
        const char *key;
        Py_ssize_t key_n;
        skip_ws(c);
        if (!plain_string(c, &key, &key_n)) return 0;
        if (!colon(c)) return 0;
        int rows_key = (key_n == 6 && memcmp(key, "series", 6) == 0) ||
                       (key_n == 15 && memcmp(key, "historical_data", 15) == 0);
        if (rows_key) {
            if (found) return 0; /* both forms, or one twice */
            found = 1;
            span[0] = c->p - begin;
            if (!rows_array(c, t, names, sizes)) return 0;
            span[1] = c->p - begin;
        } else if (!skip_any(c)) {
            return 0;
        }
        int next = after_item(c, '}');
        if (next == 0) return 0;
        if (next == END) break;
    }
    skip_ws(c);
    return found && c->p == c->end;
}

PyObject *hotpath_read_rows(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer body;
    const char *field;
    Py_ssize_t field_n;
    PyObject *sources;
    if (!PyArg_ParseTuple(args, "y*s#O!", &body, &field, &field_n, &PyTuple_Type, &sources))
        return NULL;
    PyObject *result = NULL;
    Table t = {NULL, NULL, 0, 0, PyTuple_GET_SIZE(sources), 0, {{0}, 0}, {0}, 0};
    for (int i = 0; i < MAX_KEYS; i++) t.order[i] = -1;
    const char *names[MAX_SOURCES + 1] = {field}; /* the timestamp field, then the sources */
    Py_ssize_t sizes[MAX_SOURCES + 1] = {field_n};
    if (t.k < 1 || t.k > MAX_SOURCES) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    for (Py_ssize_t j = 0; j < t.k; j++) {
        names[j + 1] = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(sources, j), &sizes[j + 1]);
        if (names[j + 1] == NULL) goto done;
    }
    for (Py_ssize_t j = 0; j <= t.k; j++) /* names read byte for byte as JSON keys */
        for (Py_ssize_t i = 0; i < sizes[j]; i++) {
            unsigned char ch = (unsigned char)names[j][i];
            if (ch < 0x20 || ch >= 0x80 || ch == '"' || ch == '\\') {
                result = Py_NewRef(Py_None);
                goto done;
            }
        }
    Cursor c = {body.buf, (const char *)body.buf + body.len};
    Py_ssize_t span[2] = {0, 0};
    if (!read_body(&c, &t, names, sizes, span)) {
        if (PyErr_Occurred()) goto done;
        result = Py_NewRef(Py_None);
        goto done;
    }
    /* the values column after column ([k, rows]), as the readers in Python give them */
    PyObject *values = PyByteArray_FromStringAndSize(NULL, t.rows * t.k * (Py_ssize_t)sizeof(double));
    if (values == NULL) goto done;
    double *by_source = (double *)PyByteArray_AS_STRING(values);
    for (Py_ssize_t j = 0; j < t.k; j++)
        for (Py_ssize_t i = 0; i < t.rows; i++) by_source[j * t.rows + i] = t.values[i * t.k + j];
    PyObject *times =
        PyByteArray_FromStringAndSize((const char *)t.times, t.rows * (Py_ssize_t)sizeof(int64_t));
    if (times == NULL) {
        Py_DECREF(values);
        goto done;
    }
    PyObject *present = PyByteArray_FromStringAndSize(NULL, t.k);
    if (present == NULL) {
        Py_DECREF(values);
        Py_DECREF(times);
        goto done;
    }
    for (Py_ssize_t j = 0; j < t.k; j++)
        PyByteArray_AS_STRING(present)[j] = (char)((t.present >> (j + 1)) & 1);
    result = Py_BuildValue("(nnNNNni)", span[0], span[1], times, values, present, t.rows, t.naive);
done:
    PyMem_Free(t.values);
    PyMem_Free(t.times);
    PyBuffer_Release(&body);
    return result;
}
