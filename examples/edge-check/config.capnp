# workerd configuration: serve worker.js with the migplan package (web build) on 127.0.0.1.
# Run from the repository root after scripts/build-wasm:
#   tests/node/node_modules/.bin/workerd serve examples/edge-check/config.capnp
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .checkWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "main") ],
);

const checkWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "migplan.js", esModule = embed "../../pkg/migplan.js"),
    (name = "migplan_bg.wasm", wasm = embed "../../pkg/migplan_bg.wasm"),
  ],
  compatibilityDate = "2026-11-01",
);
