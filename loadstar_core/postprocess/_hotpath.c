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
 *
 * fill_linear(window, gaps, before_offset, before_value) is `missing._interpolate` in
 * place: each column's gaps from np.interp over its known points (and the left neighbour
 * before the window), with np.interp's own arithmetic and its care for non-finite slopes.
 *
 * quantile_columns(raw, horizon, order, factor, offset, identity, digits) is the numbers of
 * `envelope.format_output`: the model's quantiles for the first `horizon` steps in the
 * contract's order, converted (x * factor + offset, unless identity), sorted where they
 * cross, rounded as `round_significant` rounds, as one list per quantile.
 *
 * Built without fused multiply-adds (-ffp-contract=off), so every rounding is numpy's.
 * Files: hotpath_scalars.h (strings, numbers, timestamps), hotpath_rows.c (read_rows),
 * hotpath_grid.c (bucket, fill_linear), hotpath_answer.c (quantile_columns).
 */
#include "hotpath.h"

static PyMethodDef methods[] = {
    {"read_rows", hotpath_read_rows, METH_VARARGS,
     "read_rows(body, timestamp_field, sources) -> (start, end, times, values, present, rows, "
     "naive) "
     "or None: the rows array's span in the body, epoch microseconds (int64 bytearray), the "
     "sources' values column after column (float64 bytearray, NaN where absent), per source "
     "whether some row has it (bool bytearray), the row count "
     "and how many timestamps had no offset; None when the general reader must judge it."},
    {"bucket", hotpath_bucket, METH_VARARGS,
     "bucket(epoch_us, by_column, frequency_us, lookback, picks, conversions) -> (end_us, "
     "first_in, means, gaps, missing) or None: int64 times in strictly increasing order and "
     "float64 columns [sources, n]; for the k picked columns, each converted by its (factor, "
     "offset) or not (None), the window's means [L, k] (NaN where no observation), gaps "
     "[L, k] (bool bytearray), missing [k] (int64) and the first row inside the window; "
     "None for unsorted times."},
    {"quantile_columns", hotpath_quantile_columns, METH_VARARGS,
     "quantile_columns(raw, horizon, order, factor, offset, identity, digits) -> (columns, "
     "crossed, first) or None: float64 quantiles [rows, q] to one rounded list per quantile "
     "in `order`, with how many steps crossed and the first; None for a non-finite value."},
    {"fill_linear", hotpath_fill_linear, METH_VARARGS,
     "fill_linear(window, gaps, before_offset, before_value) -> None: the `linear` policy "
     "in place on a float64 [L, k] window, gaps a bool [L, k], the left neighbours [k]."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_hotpath",
                                    "The gateway's hot path: rows to columns, columns to the grid.",
                                    -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__hotpath(void) { return PyModule_Create(&module); }
