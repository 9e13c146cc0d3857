//! The frame of a page for signed-in admins: its data loads on the server before the first
//! byte (the routes use `SsrMode::Async`), a visitor who is not signed in is sent to sign-in
//! with a real redirect, and a failure is shown in words instead of an empty page.

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
    view! {
        <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{loading}</p> }>
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
        </Suspense>
    }
}
