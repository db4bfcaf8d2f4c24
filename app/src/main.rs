//! Starts the wizard's page (`index.html`): mounts [`App`] in place of the loading message.
//! It names no workbench component, so none is linked into this page's wasm.

use portcullis_app::App;

fn main() {
    portcullis_app::start(App);
}
