"""The pure core shared by the gateway, the control plane and the CLI.

Raw caller rows -> the model's float32 window (`legalize_window`), raw model quantiles ->
the standard output (`format_output`), observations vs intervals -> anomalies. No I/O.
"""

from loadstar_core.postprocess.anomalies import (
    ForecastIntervals,
    check_observations,
    find_anomalies,
)
from loadstar_core.postprocess.contract import (
    ResolvedContract,
    interval_key,
    prepare_contract,
    requested_asset,
    series_input,
)
from loadstar_core.postprocess.envelope import format_output, round_significant, utc_iso
from loadstar_core.postprocess.legalize import (
    LegalizedWindow,
    WindowReport,
    calendar_phases,
    legalize_window,
    window_report,
)
from loadstar_core.postprocess.units import Conversion, resolve_conversion

__all__ = [
    "Conversion",
    "ForecastIntervals",
    "LegalizedWindow",
    "ResolvedContract",
    "WindowReport",
    "calendar_phases",
    "check_observations",
    "find_anomalies",
    "format_output",
    "interval_key",
    "legalize_window",
    "prepare_contract",
    "requested_asset",
    "resolve_conversion",
    "round_significant",
    "series_input",
    "utc_iso",
    "window_report",
]
