/* The gateway's hot path in C: a request's rows read into columns, and their grid means.
 *
 * read_rows(body, timestamp_field, sources) finds the top-level "series" (or
 * "historical_data") array of a JSON object and reads every row's timestamp into epoch
 * microseconds and every source's number into float64, NaN where a row lacks the key.
 * It accepts a strict subset of JSON and answers None for anything outside it (a null, an
 * escape in a key or timestamp, a nested value in a row, an unusual timestamp, an
 * infinite number, malformed text): the caller then reads the body the general way, which
 * answers as before and words every error. What it accepts it reads exactly as that way
 * does (a hypothesis property in the tests holds the two to the same bits).
 *
 * The rest of the object (units, horizon, future rows...) is not read here: the caller
 * decodes the body with the array's bytes [start, end) replaced by [], which checks it.
 * Every read is bounds-checked against the body's length; nothing here keeps a reference.
 *
 * bucket(epoch_us, by_column, frequency_us, lookback, picks, conversions) is
 * `timegrid.bucket_means`' work for rows in strictly increasing time: for each picked
 * column, converted as `Conversion.apply` converts (or not, for None), its mean over
 * [t, t + f) on the L points of the window ending at the floor of the last row, the sums
 * taken in row order as numpy's bincount takes them, so the means are the same bits.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define MAX_SOURCES 62 /* with the timestamp, ids fit a 64-bit mask */
#define MAX_KEYS 16

typedef struct {
    const char *p;
    const char *end;
} Cursor;

static const double POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static inline __attribute__((always_inline)) void skip_ws(Cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t'))
        c->p++;
}

static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

/* A string of printable ASCII without escapes: its bytes in [*s, *s + *n). */
static inline __attribute__((always_inline)) int plain_string(Cursor *c, const char **s,
                                                              Py_ssize_t *n) {
    if (c->p >= c->end || *c->p != '"') return 0;
    const char *start = c->p + 1;
    const char *quote = memchr(start, '"', (size_t)(c->end - start));
    if (quote == NULL) return 0;
    unsigned bad = 0; /* an escape, a control character or UTF-8: the general way judges */
    for (const char *x = start; x < quote; x++) {
        unsigned char ch = (unsigned char)*x;
        bad |= (ch < 0x20) | (ch >= 0x80) | (ch == '\\');
    }
    if (bad) return 0;
    *s = start;
    *n = quote - start;
    c->p = quote + 1;
    return 1;
}

/* A string's bytes up to the next quote, unchecked: for a timestamp, whose parser checks
 * every byte (so no escape, control character or UTF-8 passes). */
static inline __attribute__((always_inline)) int quoted(Cursor *c, const char **s,
                                                        Py_ssize_t *n) {
    if (c->p >= c->end || *c->p != '"') return 0;
    const char *start = c->p + 1;
    const char *quote = memchr(start, '"', (size_t)(c->end - start));
    if (quote == NULL) return 0;
    *s = start;
    *n = quote - start;
    c->p = quote + 1;
    return 1;
}

/* A JSON number (strict grammar) as the nearest double. Up to 19 significant digits with
 * a decimal exponent within +-22 is exact arithmetic and one rounding; the rest goes
 * through Python's correctly rounded parser. 0 for anything that is not a finite number. */
static inline __attribute__((always_inline)) int number(Cursor *c, double *out) {
    const char *start = c->p;
    int negative = 0;
    if (c->p < c->end && *c->p == '-') {
        negative = 1;
        c->p++;
    }
    if (c->p >= c->end) return 0;
    uint64_t mantissa = 0;
    int digits = 0, exp10 = 0, slow = 0;
    if (*c->p == '0') {
        c->p++;
    } else if (*c->p >= '1' && *c->p <= '9') {
        while (c->p < c->end && is_digit(*c->p)) {
            if (digits < 19) {
                mantissa = mantissa * 10 + (uint64_t)(*c->p - '0');
                digits++;
            } else {
                slow = 1;
            }
            c->p++;
        }
    } else {
        return 0;
    }
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (c->p >= c->end || !is_digit(*c->p)) return 0;
        while (c->p < c->end && is_digit(*c->p)) {
            if (mantissa == 0 && *c->p == '0') {
                exp10--;  /* a leading zero of the fraction: no significant digit yet */
            } else if (digits < 19) {
                mantissa = mantissa * 10 + (uint64_t)(*c->p - '0');
                digits++;
                exp10--;
            } else {
                slow = 1;
            }
            c->p++;
        }
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        int exp_negative = 0;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-')) {
            exp_negative = *c->p == '-';
            c->p++;
        }
        if (c->p >= c->end || !is_digit(*c->p)) return 0;
        int e = 0;
        while (c->p < c->end && is_digit(*c->p)) {
            if (e < 100000) e = e * 10 + (*c->p - '0');
            c->p++;
        }
        exp10 += exp_negative ? -e : e;
    }
    double value;
    if (!slow && mantissa <= (UINT64_C(1) << 53) && exp10 >= -22 && exp10 <= 22) {
        value = (double)mantissa;
        value = exp10 < 0 ? value / POW10[-exp10] : value * POW10[exp10];
        if (negative) value = -value;
    } else {
        char small[128];
        Py_ssize_t n = c->p - start;
        char *text = n < (Py_ssize_t)sizeof(small) ? small : PyMem_Malloc((size_t)n + 1);
        if (text == NULL) return 0;
        memcpy(text, start, (size_t)n);
        text[n] = '\0';
        char *stop = NULL;
        value = PyOS_string_to_double(text, &stop, NULL);
        int whole = stop == text + n;
        if (text != small) PyMem_Free(text);
        if (value == -1.0 && PyErr_Occurred()) {
            PyErr_Clear();
            return 0;
        }
        if (!whole || !isfinite(value)) return 0; /* only this way can overflow */
    }
    *out = value;
    return 1;
}

static inline __attribute__((always_inline)) int two(const char *s, int *out) {
    if (!is_digit(s[0]) || !is_digit(s[1])) return 0;
    *out = (s[0] - '0') * 10 + (s[1] - '0');
    return 1;
}

static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* YYYY-MM-DD(T| )HH:MM[:SS[.fff|.ffffff]] then Z, +HH:MM, -HH:MM or nothing (naive, read
 * as UTC): epoch microseconds. 0 for any other text, or a date or time out of range. */
/* The last date read (rows come in time order: most share the previous row's date). */
typedef struct {
    char text[10];
    int64_t days;
} LastDate;

/* Days since 1970-01-01 of the text YYYY-MM-DD, or 0 when it is no such date. */
static int date_days(const char *s, LastDate *last, int64_t *days) {
    static const int DAYS[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    uint64_t head, cached_head;
    uint16_t tail, cached_tail;
    memcpy(&head, s, 8);
    memcpy(&cached_head, last->text, 8);
    memcpy(&tail, s + 8, 2);
    memcpy(&cached_tail, last->text + 8, 2);
    if (head == cached_head && tail == cached_tail) {
        *days = last->days;
        return 1;
    }
    int hi, lo, month, day;
    if (!two(s, &hi) || !two(s + 2, &lo) || s[4] != '-' || !two(s + 5, &month) || s[7] != '-' ||
        !two(s + 8, &day))
        return 0;
    int year = hi * 100 + lo;
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (year < 1 || month < 1 || month > 12 || day < 1 ||
        day > DAYS[month - 1] + (month == 2 && leap))
        return 0;
    memcpy(last->text, s, 10);
    last->days = *days = days_from_civil(year, month, day);
    return 1;
}

static inline __attribute__((always_inline)) int timestamp(const char *s, Py_ssize_t n,
                                                           LastDate *last, int64_t *us,
                                                           int *naive) {
    int64_t days;
    int hour, minute, second = 0;
    if (n < 16 || !date_days(s, last, &days) || (s[10] != 'T' && s[10] != ' ') ||
        !two(s + 11, &hour) || s[13] != ':' || !two(s + 14, &minute) || hour > 23 ||
        minute > 59)
        return 0;
    Py_ssize_t pos = 16;
    int64_t fraction = 0;
    if (pos < n && s[pos] == ':') {
        if (pos + 3 > n || !two(s + pos + 1, &second) || second > 59) return 0;
        pos += 3;
        if (pos < n && s[pos] == '.') {
            Py_ssize_t k = 0;
            pos++;
            while (pos + k < n && is_digit(s[pos + k])) {
                fraction = fraction * 10 + (s[pos + k] - '0');
                k++;
                if (k > 6) return 0;
            }
            if (k == 3) fraction *= 1000;
            else if (k != 6) return 0;
            pos += k;
        }
    }
    int64_t offset_minutes = 0;
    *naive = 0;
    if (pos == n) {
        *naive = 1;
    } else if (s[pos] == 'Z' && pos + 1 == n) {
    } else if ((s[pos] == '+' || s[pos] == '-') && pos + 6 == n) {
        int oh, om;
        if (!two(s + pos + 1, &oh) || s[pos + 3] != ':' || !two(s + pos + 4, &om) || oh > 23 ||
            om > 59)
            return 0;
        offset_minutes = (s[pos] == '+' ? 1 : -1) * (int64_t)(oh * 60 + om);
    } else {
        return 0;
    }
    int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    *us = seconds * 1000000 + fraction;
    return 1;
}

/* Skips a value a row holds under a key it does not read: a number, a plain string,
 * true, false or null; 0 for anything else (a nested value, an escaped string). */
static inline __attribute__((always_inline)) int skip_simple(Cursor *c) {
    if (c->p >= c->end) return 0;
    char ch = *c->p;
    if (ch == '"') {
        const char *s;
        Py_ssize_t n;
        return plain_string(c, &s, &n);
    }
    if (ch == '-' || is_digit(ch)) {
        double ignored;
        return number(c, &ignored); /* an infinite one included: the general way judges it */
    }
    static const char *const WORDS[3] = {"true", "false", "null"};
    for (int i = 0; i < 3; i++) {
        size_t len = strlen(WORDS[i]);
        if ((size_t)(c->end - c->p) >= len && memcmp(c->p, WORDS[i], len) == 0) {
            c->p += len;
            return 1;
        }
    }
    return 0;
}

/* Skips any value of the top-level object without judging it (the caller's decoder checks
 * that part): strings with their escapes, and brackets by depth. */
static int skip_any(Cursor *c) {
    int depth = 0;
    while (c->p < c->end) {
        char ch = *c->p;
        if (ch == '"') {
            c->p++;
            while (c->p < c->end && *c->p != '"') {
                if (*c->p == '\\' && c->end - c->p < 2) return 0;
                c->p += (*c->p == '\\') ? 2 : 1;
            }
            if (c->p >= c->end) return 0;
            c->p++;
        } else if (ch == '{' || ch == '[') {
            depth++;
            c->p++;
        } else if (ch == '}' || ch == ']') {
            if (depth == 0) return 1;
            depth--;
            c->p++;
        } else if (ch == ',' && depth == 0) {
            return 1;
        } else {
            c->p++;
        }
    }
    return 0;
}

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
        skip_ws(c);
        if (c->p >= c->end || *c->p != ':') return 0;
        c->p++;
        skip_ws(c);
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
        skip_ws(c);
        if (c->p >= c->end) return 0;
        if (*c->p == ',') {
            c->p++;
            continue;
        }
        if (*c->p != '}') return 0;
        c->p++;
        break;
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
        skip_ws(c);
        if (c->p >= c->end) return 0;
        if (*c->p == ',') {
            c->p++;
            continue;
        }
        if (*c->p != ']') return 0;
        c->p++;
        return 1;
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
        skip_ws(c);
        if (c->p >= c->end || *c->p != ':') return 0;
        c->p++;
        skip_ws(c);
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
        skip_ws(c);
        if (c->p >= c->end) return 0;
        if (*c->p == ',') {
            c->p++;
            continue;
        }
        if (*c->p != '}') return 0;
        c->p++;
        break;
    }
    skip_ws(c);
    return found && c->p == c->end;
}

static PyObject *read_rows(PyObject *self, PyObject *args) {
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


static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static PyObject *bucket(PyObject *self, PyObject *args) {
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

static PyObject *quantile_columns(PyObject *self, PyObject *args) {
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

static PyObject *fill_linear(PyObject *self, PyObject *args) {
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

static PyMethodDef methods[] = {
    {"read_rows", read_rows, METH_VARARGS,
     "read_rows(body, timestamp_field, sources) -> (start, end, times, values, present, rows, "
     "naive) "
     "or None: the rows array's span in the body, epoch microseconds (int64 bytearray), the "
     "sources' values column after column (float64 bytearray, NaN where absent), per source "
     "whether some row has it (bool bytearray), the row count "
     "and how many timestamps had no offset; None when the general reader must judge it."},
    {"bucket", bucket, METH_VARARGS,
     "bucket(epoch_us, by_column, frequency_us, lookback, picks, conversions) -> (end_us, "
     "first_in, means, gaps, missing) or None: int64 times in strictly increasing order and "
     "float64 columns [sources, n]; for the k picked columns, each converted by its (factor, "
     "offset) or not (None), the window's means [L, k] (NaN where no observation), gaps "
     "[L, k] (bool bytearray), missing [k] (int64) and the first row inside the window; "
     "None for unsorted times."},
    {"quantile_columns", quantile_columns, METH_VARARGS,
     "quantile_columns(raw, horizon, order, factor, offset, identity, digits) -> (columns, "
     "crossed, first) or None: float64 quantiles [rows, q] to one rounded list per quantile "
     "in `order`, with how many steps crossed and the first; None for a non-finite value."},
    {"fill_linear", fill_linear, METH_VARARGS,
     "fill_linear(window, gaps, before_offset, before_value) -> None: the `linear` policy "
     "in place on a float64 [L, k] window, gaps a bool [L, k], the left neighbours [k]."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_hotpath",
                                    "The gateway's hot path: rows to columns, columns to the grid.",
                                    -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__hotpath(void) { return PyModule_Create(&module); }
