/* The JSON scanner's pieces for one row's values: whitespace, plain strings, numbers,
 * ISO 8601 timestamps, and values skipped. Static inline: every use is in hotpath_rows.c. */
#ifndef LOADSTAR_HOTPATH_SCALARS_H
#define LOADSTAR_HOTPATH_SCALARS_H
#include "hotpath.h"

typedef struct {
    const char *p;
    const char *end;
} Cursor;

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

#endif
