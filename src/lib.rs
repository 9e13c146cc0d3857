//! Octavia billing: institutions buy interview sessions and pay by card through Stripe.
//!
//! `domain` is pure logic shared by server and browser; `server` (feature `ssr`) holds
//! configuration, storage, sign-in and HTTP; `components` and `app` are the Leptos UI;
//! `rpc` holds the server functions that connect the two.

// The billing page's view types nest deeper than rustc's default allows when components are
// not erased (release builds; cargo-leptos erases them only in debug builds).
#![recursion_limit = "256"]

pub mod api_types;
pub mod app;
pub mod components;
pub mod domain;
pub mod error;
pub mod rpc;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "hydrate")]
pub mod stripe_js;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // Leptos's island script hydrates every island right after this returns, within the same
    // task; a timeout runs after it. A lazy island (its own wasm chunk, fetched first) marks
    // the page itself once it has hydrated.
    let lazy = leptos::prelude::document()
        .query_selector("[data-lazy-island]")
        .ok()
        .flatten()
        .is_some();
    if !lazy {
        leptos::prelude::set_timeout(mark_hydrated, std::time::Duration::ZERO);
    }
}

/// Tells end-to-end tests (and anyone inspecting the page) that the page is interactive now.
#[cfg(feature = "hydrate")]
pub fn mark_hydrated() {
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
