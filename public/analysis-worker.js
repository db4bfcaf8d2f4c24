// Starts the analysis worker (app/src/bin/analysis_worker.rs, built by Trunk with the wizard's
// page as `portcullis-analysis-worker`, file names unhashed). Trunk's own loader shim passes the wasm's
// URL the deprecated way, which prints a console warning. Paths are relative to this file.
importScripts('./portcullis-analysis-worker.js');
wasm_bindgen({ module_or_path: './portcullis-analysis-worker_bg.wasm' });
