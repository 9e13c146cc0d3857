//! The frame of a page for signed-in admins: its data loads on the server before the first
//! byte (the routes use `SsrMode::Async`), a visitor who is not signed in is sent to sign-in
//! with a real redirect, and a failure is shown in words instead of an empty page. The page
//! can ask for its data again (`PageReload`); the old view stays until the new data is in.

use std::future::Future;

use leptos::prelude::*;
use leptos::server_fn::serde::{Serialize, de::DeserializeOwned};
use leptos_router::components::Redirect;

use crate::error::AppError;

pub fn signed_in_page<T, Fut, V>(
    loading: &'static str,
    unavailable: &'static str,
    load: impl Fn() -> Fut + Send + Sync + 'static,
    render: fn(T) -> V,
) -> impl IntoView
where
    T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    let data = Resource::new(|| (), move |_| load());
    provide_context(PageReload {
        reload: Callback::new(move |()| data.refetch()),
        count: StoredValue::new(0),
    });
    view! {
        <Transition fallback=move || view! { <p class="loading" aria-busy="true">{loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(data) => render(data).into_any(),
                    Err(AppError::Unauthorized) => view! { <Redirect path="/login"/> }.into_any(),
                    Err(error) => view! {
                        <section class="card narrow" role="alert">
                            <h1>{unavailable}</h1>
                            <p>{error.to_string()}</p>
                        </section>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Loads the page's data again, in place, for a page waiting on something that happens in the
/// background (a webhook, an invoice being issued).
#[derive(Clone, Copy)]
pub struct PageReload {
    reload: Callback<()>,
    /// Reloads so far, so that waiting gives up at some point.
    count: StoredValue<u32>,
}

impl PageReload {
    /// Reloads after `delay`, unless `limit` reloads were made already; `false` then.
    pub fn after(self, delay: std::time::Duration, limit: u32) -> bool {
        let count = self.count.get_value();
        if count >= limit {
            return false;
        }
        self.count.set_value(count + 1);
        set_timeout(move || self.reload.run(()), delay);
        true
    }
}
