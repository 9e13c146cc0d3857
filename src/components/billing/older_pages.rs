//! A list whose first page arrives with the page and whose older pages load on request, by
//! cursor (the last id shown), as the REST API and Stripe page.

use std::future::Future;

use leptos::prelude::*;

use crate::error::AppError;

/// The rows shown so far and whether Stripe or the database has older ones.
pub struct OlderPages<T: Send + Sync + 'static> {
    pub rows: RwSignal<Vec<T>>,
    pub has_more: RwSignal<bool>,
    load: Action<String, Result<(Vec<T>, bool), AppError>>,
    id_of: fn(&T) -> String,
}

impl<T: Send + Sync + 'static> Clone for OlderPages<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for OlderPages<T> {}

impl<T: Clone + Send + Sync + 'static> OlderPages<T> {
    /// `fetch(last_id)` gives the page after `last_id`: its rows and whether more follow.
    pub fn new<Fut>(
        first: Vec<T>,
        has_more: bool,
        id_of: fn(&T) -> String,
        fetch: impl Fn(String) -> Fut + Send + Sync + 'static,
    ) -> Self
    where
        Fut: Future<Output = Result<(Vec<T>, bool), AppError>> + Send + 'static,
    {
        let pages = OlderPages {
            rows: RwSignal::new(first),
            has_more: RwSignal::new(has_more),
            load: Action::new(move |last_id: &String| fetch(last_id.clone())),
            id_of,
        };
        Effect::new(move |_| {
            if let Some(Ok((rows, more))) = pages.load.value().get() {
                pages.rows.update(|shown| shown.extend(rows));
                pages.has_more.set(more);
            }
        });
        pages
    }

    fn load_next(&self) {
        let id_of = self.id_of;
        if let Some(last) = self.rows.with(|rows| rows.last().map(id_of)) {
            self.load.dispatch(last);
        }
    }
}

/// "Show older …" while there are more, and what went wrong if a page could not load.
#[component]
pub fn ShowOlder<T: Clone + Send + Sync + 'static>(
    pages: OlderPages<T>,
    label: &'static str,
) -> impl IntoView {
    let loading = move || pages.load.pending().get();
    view! {
        <Show when=move || pages.has_more.get()>
            <button type="button" class="button secondary" disabled=loading on:click=move |_| pages.load_next()>
                {move || if loading() { "Loading…" } else { label }}
            </button>
        </Show>
        <p class="form-error" role="alert">
            {move || pages.load.value().get().and_then(Result::err).map(|e| e.to_string())}
        </p>
    }
}
