//! The page's state as plain data: the engine's [`Design`](portcullis_engine::design::Design)
//! plus what the user is typing. Mutations are named methods; components only call them.

mod design_state;

pub(crate) use design_state::DesignState;

use leptos::prelude::RwSignal;

/// The shared, reactive [`DesignState`] of one mounted app, provided as a context by `App` and
/// read with `expect_context::<DesignContext>()`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DesignContext(pub(crate) RwSignal<DesignState>);
