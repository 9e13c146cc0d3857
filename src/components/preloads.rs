//! What a page announces in its head so that the browser fetches it along with the page, not
//! one round trip after another once hydration asks for it. Both read the wasm-split manifest
//! that `HydrationScripts` provides in a `--split` build, and add nothing without one.

use leptos::prelude::*;
use leptos_meta::Link;

/// The wasm-split loader, which the main JS module imports on every page with islands. Leptos
/// preloads it only when the server calls a lazy function; call this after `HydrationScripts`.
pub fn split_loader() -> Option<impl IntoView> {
    let href = use_context::<leptos::WasmSplitManifest>()?
        .0
        .try_with_value(|(pkg, _, loader)| format!("{pkg}/{loader}"))?;
    Some(view! { <link rel="modulepreload" href=href/> })
}

/// The wasm chunks split off for lazy islands, for a page that holds one: the island's chunk
/// is otherwise fetched only once the main wasm has started. (The app has one lazy island, so
/// every chunk is its chunk.)
#[component]
pub fn LazyIslandChunks() -> impl IntoView {
    let chunks = use_context::<leptos::WasmSplitManifest>()
        .and_then(|manifest| {
            manifest.0.try_with_value(|(pkg, chunks, _)| {
                chunks
                    .values()
                    .flatten()
                    .map(|chunk| format!("{pkg}/{chunk}.wasm"))
                    .collect::<Vec<_>>()
            })
        })
        .unwrap_or_default();
    chunks
        .into_iter()
        .map(|href| {
            // `crossorigin`: the loader fetches it in CORS mode, and only a matching preload is
            // reused.
            view! { <Link rel="preload" href as_="fetch" type_="application/wasm" crossorigin="anonymous"/> }
        })
        .collect_view()
}
