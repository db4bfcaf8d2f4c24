//! Starts the workbench's page (`workbench/index.html`): mounts [`WorkbenchApp`] in place of the
//! loading message. Its own wasm, so the wizard's page never downloads the workbench.

use portcullis_app::WorkbenchApp;

fn main() {
    portcullis_app::start(WorkbenchApp);
}
