// Routes the console needs before the control plane publishes them, in OpenAPI form.
// gen-api merges a path (or one method of it) from here only while the live document
// lacks it, and gives its schemas a `Pending_` prefix, so the console can be built against
// a route the backend has not landed yet; delete an entry once the live document has it.
// Every route the console uses is live today, so both are empty.

/** @type {Record<string, Record<string, object>>} */
export const pendingPaths = {};

/** @type {Record<string, object>} */
export const pendingSchemas = {};
