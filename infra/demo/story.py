"""The demo's steps, each a few public API calls (no database, no internals)."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
from websockets.sync.client import connect

from infra.demo.readings import (
    CALLER_UNITS,
    DATA,
    FIELD_NAMES,
    TARGET,
    hourly_frame,
    quarter_hour_readings,
)

MODEL_NAME = "line-a-load"
ADMIN = ("admin", "loadstar-admin")


def bar(fraction: float, width: int = 24) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "[" + "#" * filled + "." * (width - filled) + f"] {fraction * 100:5.1f}%"


class Demo:
    def __init__(self, control_plane: str, gateway: str, *, quick: bool = False) -> None:
        self.cp = httpx.Client(base_url=control_plane, timeout=120)
        self.gw = httpx.Client(base_url=gateway, timeout=30)
        self.ws_base = control_plane.replace("http", "ws", 1)
        self.quick = quick
        self.summary: dict[str, Any] = {}
        self.token = ""

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        resp = self.cp.request(method, path, **kwargs)
        resp.raise_for_status()
        return resp.json() if resp.content else None

    def login(self) -> None:
        body = self.call(
            "POST", "/api/auth/login", json={"username": ADMIN[0], "password": ADMIN[1]}
        )
        self.token = body["accessToken"]
        self.cp.headers["Authorization"] = f"Bearer {self.token}"
        print(f"      signed in as {body['user']['username']} ({body['user']['role']})")

    def upload(self) -> None:
        with DATA.open("rb") as f:
            ds = self.call(
                "POST",
                "/api/datasets",
                files={"file": (DATA.name, f, "text/csv")},
                data={"name": "ETTh1 transformer (demo)"},
            )
        self.summary["datasetId"] = ds["id"]
        # the file has no units in its header: declare them (loads in kW, oil temperature in degC)
        units = {name: "kW" for name in ("HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL")} | {
            "OT": "degC"
        }
        ds = self.call("PATCH", f"/api/datasets/{ds['id']}", json={"units": units})
        print(
            f"      dataset {ds['id']}: {ds.get('rows')} rows, frequency {ds.get('frequency')}, "
            f"{ds.get('start')} .. {ds.get('end')}"
        )

    def explore(self) -> None:
        ds = self.summary["datasetId"]
        preview = self.call("GET", "/api/explore/preview", params={"datasetId": ds})
        stats = preview.get("stats", {})
        target = stats.get(TARGET, {}) if isinstance(stats, dict) else {}
        if target:
            print(
                f"      {TARGET}: mean {target.get('mean'):.3f} std {target.get('std'):.3f} missing {target.get('missingRate')}"
            )
        suggest = self.call(
            "POST", "/api/explore/suggest", json={"datasetId": ds, "target": TARGET}
        )
        for s in suggest.get("features", [])[:5]:
            print(
                f"      suggestion: {s['op']} {json.dumps(s.get('params', {}))}  <- {s.get('reason', '')}"
            )

    def plan(self) -> None:
        ds = self.summary["datasetId"]
        auto = self.call(
            "POST",
            "/api/features/auto",
            json={
                "datasetId": ds,
                "target": TARGET,
                "frequency": "1h",
                "lookback": 168,
                "horizon": 24,
                "quantiles": [0.05, 0.5, 0.95],
            },
        )
        plan = auto["plan"]
        created = self.call(
            "POST",
            "/api/features/plans",
            json={**plan, "name": "demo: HUFL 168h -> 24h", "datasetId": ds},
        )
        self.summary["featurePlanId"] = created["id"]
        ops = ", ".join(op["op"] for op in plan.get("ops", []))
        print(
            f"      plan {created['id']}: inputs {[i['name'] for i in plan['inputs']]}, ops [{ops}]"
        )

    def train(self) -> None:
        hyper = {"epochs": 2, "seed": 7} if self.quick else {"seed": 7}
        job = self.call(
            "POST",
            "/api/training/jobs",
            json={
                "datasetId": self.summary["datasetId"],
                "featurePlanId": self.summary["featurePlanId"],
                "hyperparams": hyper,
            },
        )
        job_id = job["id"]
        self.summary["jobId"] = job_id
        print(f"      job {job_id} queued ({job['algorithm']})")
        kinds: list[str] = []
        with connect(
            f"{self.ws_base}/ws/training/{job_id}?token={self.token}", open_timeout=10
        ) as ws:
            while True:
                event = json.loads(ws.recv(timeout=900))
                kinds.append(event["type"])
                p = event["payload"]
                if event["type"] == "metric" and "epoch" in p:
                    print(
                        f"      {bar(p.get('progress', 0.0))} epoch {p['epoch']}: "
                        f"train {p.get('trainLoss', float('nan')):.4f} val {p.get('valLoss', float('nan')):.4f}",
                        flush=True,
                    )
                elif event["type"] == "log" and p.get("level") in ("WARNING", "ERROR"):
                    print(f"      {p['level']}: {p['message']}")
                elif event["type"] == "artifact":
                    print(f"      artifact {p['name']} ({p.get('bytes', 0)} bytes)")
                elif event["type"] == "error":
                    raise RuntimeError(f"training failed: {p.get('message')}")
                if event["type"] in ("done", "error"):
                    break
        self.summary["eventTypes"] = kinds
        job = self.call("GET", f"/api/training/jobs/{job_id}")
        self.print_evaluation(job["evaluation"])

    def print_evaluation(self, evaluation: dict[str, Any]) -> None:
        model = evaluation.get("model", evaluation)
        base = evaluation.get("baseline", {})
        print("      metric      model      seasonal-naive")
        for key in ("mae", "rmse", "mape", "smape", "mase"):
            if key in model:
                print(f"      {key:<10} {model[key]:>9.4f}  {base.get(key, float('nan')):>9.4f}")
        if "coverage" in model:
            print(f"      coverage of [p05, p95]: {model['coverage'] * 100:.1f}%")

    def register_and_deploy(self) -> None:
        job_id = self.summary["jobId"]
        version = self.call(
            "POST", f"/api/training/jobs/{job_id}/register", json={"modelName": MODEL_NAME}
        )
        number = version["version"]
        self.call(
            "POST",
            f"/api/registry/models/{MODEL_NAME}/versions/{number}/stage",
            json={"stage": "Production", "comment": "demo"},
        )
        self.call(
            "PUT", f"/api/registry/models/{MODEL_NAME}/aliases/production", json={"version": number}
        )
        print(
            f"      registered {MODEL_NAME} v{number}; stage Production; alias @production -> v{number}"
        )
        inputs = [
            {
                "name": name,
                "source": FIELD_NAMES[name],
                **(
                    {"unit": CALLER_UNITS[FIELD_NAMES[name]]}
                    if FIELD_NAMES[name] in CALLER_UNITS
                    else {}
                ),
            }
            for name in self.plan_inputs()
        ]
        dep = self.call(
            "POST",
            "/api/deployments",
            json={
                "modelId": MODEL_NAME,
                "alias": "production",
                "assetId": "line-a",
                "mapping": {"inputs": inputs, "fill": "linear", "maxMissingRatio": 0.2},
            },
        )
        self.summary.update(
            {"deploymentId": dep["id"], "apiToken": dep["apiToken"], "version": number}
        )
        print(
            f"      deployment {dep['id']} at {dep['apiUrl']} (token shown once: {dep['apiToken'][:8]}...)"
        )
        pairs = ", ".join(f"{i['source']} -> {i['name']}" for i in inputs)
        print(f"      mapping: {pairs}; line_load_w sent in W")

    def plan_inputs(self) -> list[str]:
        plan = self.call("GET", f"/api/features/plans/{self.summary['featurePlanId']}")
        body = plan.get("plan", plan)
        return [i["name"] for i in body["inputs"]]

    def gateway_call(self, path: str, body: dict[str, Any]) -> Any:
        headers = {"Authorization": f"Bearer {self.summary['apiToken']}"}
        deadline = time.monotonic() + 30
        while True:  # the gateway picks the new deployment up within its long-poll
            resp = self.gw.post(path, json=body, headers=headers)
            if resp.status_code != 401 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        resp.raise_for_status()
        return resp.json()

    def predict_at_the_edge(self) -> None:
        rows = quarter_hour_readings(hourly_frame(), self.plan_inputs())
        out = self.gateway_call("/api/inference/predict", {"series": rows})
        self.summary["forecast"] = out
        print(
            f"      sent {len(rows)} readings at 15 min (a few missing) -> {len(out['values'])} hourly points in {out['unit']}"
        )
        for v, lo, hi in list(
            zip(out["values"], out["intervals"]["p05"], out["intervals"]["p95"], strict=False)
        )[:4]:
            print(f"      {v['t']}  {v['y']:>10.3f}  [{lo:.3f}, {hi:.3f}]")
        for w in out["warnings"]:
            print(f"      warning {w['code']}: {w['message']}")

    def detect(self) -> None:
        rows = quarter_hour_readings(
            hourly_frame(), self.plan_inputs(), days=9, missing_every=0, spike_at=-20
        )
        spike_time = rows[-20]["timestamp"]
        report = self.gateway_call("/api/v1/assets/line-a/detect_anomalies", {"data_stream": rows})
        anomalies = sorted(report["anomalies"], key=lambda a: a["score"], reverse=True)
        self.summary["anomalies"] = anomalies
        print(
            f"      injected a +6 sigma spike at {spike_time}; {len(anomalies)} readings fall outside [p05, p95]"
        )
        for a in anomalies[:3]:
            mark = "  <- the injected spike" if a["timestamp"] == spike_time else ""
            print(
                f"      score {a['score']:.2f} at {a['timestamp']}: {a['value']:.1f} W ({a['reason']}){mark}"
            )
        if not anomalies or anomalies[0]["timestamp"] != spike_time:
            raise RuntimeError(f"the injected spike at {spike_time} is not the strongest anomaly")

    def where_next(self) -> None:
        print("      console:        http://127.0.0.1:8080/  (admin / loadstar-admin)")
        print("      API docs:       http://127.0.0.1:8080/schema/swagger")
        print("      Triton metrics: http://127.0.0.1:8002/metrics  (nv_inference_*)")
        print("      gateway:        http://127.0.0.1:8090/metrics, /readyz")
        print("      logs:           .run/logs/<service>.log ; stop everything with `make down`")


__all__ = ["TARGET", "Demo"]
